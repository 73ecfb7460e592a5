/**
 * An S3 bucket the way every bucket of the platform is made: all public access blocked, ACLs
 * disabled (bucket owner owns every object), server-side encryption with KMS by default,
 * versioning with old versions expiring, and plain-HTTP requests denied.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface BucketArgs {
  bucketName: pulumi.Input<string>;
  /** Days a replaced or deleted object version is kept. */
  noncurrentVersionDays: number;
}

export class Bucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: BucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:Bucket', name, {}, opts);
    const parent = { parent: this };
    this.bucket = new aws.s3.Bucket(name, { bucket: args.bucketName, forceDestroy: false }, parent);
    const bucket = this.bucket.id;

    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      name,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    new aws.s3.BucketOwnershipControls(name, { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } }, parent);
    // aws:kms without a key id uses the AWS-managed aws/s3 key: encrypted at rest, and app roles
    // need no KMS permissions of their own to read and write.
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }] },
      parent,
    );
    const versioning = new aws.s3.BucketVersioning(name, { bucket, versioningConfiguration: { status: 'Enabled' } }, parent);
    new aws.s3.BucketLifecycleConfiguration(
      name,
      {
        bucket,
        rules: [
          {
            id: 'expire-noncurrent-versions',
            status: 'Enabled',
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    new aws.s3.BucketPolicy(
      name,
      {
        bucket,
        policy: this.bucket.arn.apply((arn) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyInsecureTransport',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          }),
        ),
      },
      // After the public access block, so S3 never sees a policy on an unprotected bucket.
      { parent: this, dependsOn: [publicAccess] },
    );

    this.arn = this.bucket.arn;
    this.name = this.bucket.bucket;
    this.registerOutputs({ arn: this.arn, name: this.name });
  }
}
