/** IPv4 CIDR arithmetic for carving subnets out of the VPC range. Pure. */

function toInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): { base: number; bits: number } {
  const [ip, len] = cidr.split('/');
  const bits = Number(len);
  if (ip === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const base = toInt(ip);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  if ((base & mask) >>> 0 !== base) throw new Error(`${cidr} has host bits set; did you mean ${toIp((base & mask) >>> 0)}/${bits}?`);
  return { base, bits };
}

/** Like Terraform's cidrsubnet: the `index`-th subnet of `cidr` that is `newBits` longer. */
export function cidrSubnet(cidr: string, newBits: number, index: number): string {
  const { base, bits } = parseCidr(cidr);
  const length = bits + newBits;
  if (length > 32) throw new Error(`${cidr} cannot be split into /${length} subnets`);
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** newBits) throw new Error(`${cidr} has no subnet ${index} of size /${length}`);
  return `${toIp((base + index * 2 ** (32 - length)) >>> 0)}/${length}`;
}

/** Whether `inner` lies entirely within `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (i.bits < o.bits) return false;
  const mask = o.bits === 0 ? 0 : (~0 << (32 - o.bits)) >>> 0;
  return ((i.base & mask) >>> 0) === o.base;
}

/**
 * Subnet plan of a VPC: one private subnet per zone (a large slice: with the VPC CNI every pod
 * takes an address) and one small public subnet per zone for load balancers and NAT gateways.
 */
export function subnetPlan(vpcCidr: string, zones: number): { private: string[]; public: string[] } {
  const { bits } = parseCidr(vpcCidr);
  if (bits > 20) throw new Error(`VPC ${vpcCidr} is too small; use a /16 to /20`);
  if (zones < 1 || zones > 4) throw new Error(`a subnet plan covers 1 to 4 zones, not ${zones}`);
  // Private: the first four /(bits+3) slices (the lower half); public: /(bits+6) slices at the
  // start of the last eighth. Nothing overlaps, and the rest stays free for later use.
  return {
    private: Array.from({ length: zones }, (_, i) => cidrSubnet(vpcCidr, 3, i)),
    public: Array.from({ length: zones }, (_, i) => cidrSubnet(vpcCidr, 6, 56 + i)),
  };
}
