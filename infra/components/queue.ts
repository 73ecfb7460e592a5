/**
 * An SQS queue with a dead-letter queue, both encrypted at rest with SQS-managed keys (so
 * producers and consumers need no KMS permissions) and reachable over TLS only.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface QueueArgs {
  queueName: string;
  /** Receives before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
}

export class Queue extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly arn: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: QueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:Queue', name, {}, opts);
    const parent = { parent: this };
    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      { name: `${args.queueName}-dlq`, sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 },
      parent,
    );
    this.queue = new aws.sqs.Queue(
      name,
      {
        name: args.queueName,
        sqsManagedSseEnabled: true,
        visibilityTimeoutSeconds: 60,
        messageRetentionSeconds: 4 * 24 * 3600,
        redrivePolicy: this.deadLetterQueue.arn.apply((arn) => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: args.maxReceiveCount })),
      },
      parent,
    );
    for (const [suffix, q] of [['', this.queue], ['-dlq', this.deadLetterQueue]] as const) {
      new aws.sqs.QueuePolicy(
        `${name}${suffix}-tls-only`,
        {
          queueUrl: q.url,
          policy: q.arn.apply((arn) =>
            JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: arn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
            }),
          ),
        },
        parent,
      );
    }
    this.arn = this.queue.arn;
    this.url = this.queue.url;
    this.registerOutputs({ arn: this.arn, url: this.url });
  }
}
