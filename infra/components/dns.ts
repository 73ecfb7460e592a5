/**
 * DNS and TLS of the environment: the public Route 53 zone of its domain (spec.domain of
 * manifests/environments/<env>.yaml; the zone is delegated once, by hand, and looked up here)
 * and an ACM certificate for the domain and its subdomains, validated through that zone. The
 * certificate ARN reaches the storefront's Ingress through the bridge.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface DnsArgs {
  domain: string;
}

export class Dns extends pulumi.ComponentResource {
  readonly zoneId: pulumi.Output<string>;
  readonly certificate: aws.acm.Certificate;
  /** The ARN once validation succeeded: an Ingress never gets a certificate that is not issued. */
  readonly certificateArn: pulumi.Output<string>;

  constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:Dns', name, {}, opts);
    const zone = aws.route53.getZoneOutput({ name: args.domain, privateZone: false }, { parent: this });
    this.zoneId = zone.zoneId;

    this.certificate = new aws.acm.Certificate(
      `${name}-certificate`,
      {
        domainName: args.domain,
        subjectAlternativeNames: [`*.${args.domain}`],
        validationMethod: 'DNS',
        keyAlgorithm: 'EC_prime256v1',
        tags: { Name: args.domain },
      },
      { parent: this },
    );
    // The apex and the wildcard share one validation record.
    const option = this.certificate.domainValidationOptions.apply((options) => {
      const o = options.find((x) => x.domainName === args.domain) ?? options[0];
      if (!o) throw new Error(`ACM returned no DNS validation record for ${args.domain}`);
      return o;
    });
    const record = new aws.route53.Record(
      `${name}-certificate-validation`,
      {
        zoneId: this.zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      },
      { parent: this },
    );
    const validation = new aws.acm.CertificateValidation(
      `${name}-certificate`,
      { certificateArn: this.certificate.arn, validationRecordFqdns: [record.fqdn] },
      { parent: this },
    );
    this.certificateArn = validation.certificateArn;
    this.registerOutputs({ zoneId: this.zoneId, certificateArn: this.certificateArn });
  }
}
