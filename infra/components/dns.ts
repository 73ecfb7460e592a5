/**
 * DNS and TLS of the environment: the public Route 53 zone of its domain (spec.domain of
 * manifests/environments/<env>.yaml; the zone is delegated once, by hand, and looked up here)
 * and one ACM certificate, validated through that zone, for the domain, `*.<domain>` and a
 * wildcard for every deeper level the apps' ingress hosts use (orders-api.internal.<domain>
 * needs `*.internal.<domain>`): the ALB controller finds it for every Ingress, and its ARN
 * reaches the public ones through the bridge. A new host level changes the names, so ACM needs
 * a new certificate: it is created first, and the old one is kept (retainOnDelete) because load
 * balancers still use it until the new ARN is rendered and synced; delete it by hand later.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface DnsArgs {
  domain: string;
  /** Ingress hosts the certificate must cover; hosts outside the domain are left out. */
  hosts: string[];
}

/** The certificate's alternative names and the names whose DNS records validate it. Pure. */
export function certificateNames(domain: string, hosts: string[]): { subjectAlternativeNames: string[]; validationDomains: string[] } {
  const parents = new Set<string>([domain]);
  for (const host of hosts) {
    if (host !== domain && host.endsWith(`.${domain}`)) parents.add(host.slice(host.indexOf('.') + 1));
  }
  const sorted = [...parents].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return { subjectAlternativeNames: sorted.map((p) => `*.${p}`), validationDomains: sorted };
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

    const names = certificateNames(args.domain, args.hosts);
    const outside = args.hosts.filter((h) => h !== args.domain && !h.endsWith(`.${args.domain}`));
    if (outside.length) pulumi.log.warn(`ingress hosts outside ${args.domain} need their own certificate: ${outside.join(', ')}`, this);

    this.certificate = new aws.acm.Certificate(
      `${name}-certificate`,
      {
        domainName: args.domain,
        subjectAlternativeNames: names.subjectAlternativeNames,
        validationMethod: 'DNS',
        keyAlgorithm: 'EC_prime256v1',
        tags: { Name: args.domain },
      },
      { parent: this, retainOnDelete: true },
    );
    // One validation record per name: the apex and *.apex share one, *.internal.apex has its own.
    const records = names.validationDomains.map((base) => {
      const option = this.certificate.domainValidationOptions.apply((options) => {
        const o = options.find((x) => x.domainName === base || x.domainName === `*.${base}`);
        if (!o) throw new Error(`ACM returned no DNS validation record for ${base}`);
        return o;
      });
      return new aws.route53.Record(
        `${name}-validation-${base}`,
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
    });
    const validation = new aws.acm.CertificateValidation(
      `${name}-certificate`,
      { certificateArn: this.certificate.arn, validationRecordFqdns: records.map((r) => r.fqdn) },
      { parent: this },
    );
    this.certificateArn = validation.certificateArn;
    this.registerOutputs({ zoneId: this.zoneId, certificateArn: this.certificateArn });
  }
}
