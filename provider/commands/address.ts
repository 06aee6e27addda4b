/**
 * IP addresses and prefixes: parsing, the rules they must meet, and normalisation to the form
 * `ip -json` prints, so what we store compares equal to what we read back. Pure, no I/O.
 */

import { isProblem, type Problem, problem } from "../rule.js";

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** The address in iproute2's own spelling: dotted quad, or compressed lowercase IPv6. */
  address: string;
  prefixLength: number;
}

/** Parses `ADDRESS/PREFIX`, or says why the text is not one. */
export function parseCidr(text: string): Cidr | Problem {
  const slash = text.indexOf("/");
  if (slash < 0) return problem("must be in CIDR notation with a prefix length, like 10.1.10.2/24 or fd00::2/64");
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const ip = parseIp(addressText);
  if (isProblem(ip)) return ip;
  const max = ip.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return problem(`must have a prefix length from 0 to ${max} for an IPv${ip.family} address`);
  }
  return { family: ip.family, address: ip.address, prefixLength: Number(prefixText) };
}

/** An address with its prefix length, as iproute2 spells it (`FD00::0002/64` -> `fd00::2/64`). */
export function cidr(text: string): string | Problem {
  const parsed = parseCidr(text);
  return isProblem(parsed) ? parsed : `${parsed.address}/${parsed.prefixLength}`;
}

/** Parses a bare IP address (no prefix), or says why the text is not one. */
export function parseIp(text: string): { family: Family; address: string } | Problem {
  if (/^[0-9.]+$/.test(text)) {
    const parts = text.split(".");
    // No leading zeros: "010" means 8 to some parsers and 10 to others.
    const ok = parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
    return ok ? { family: 4, address: parts.map(Number).join(".") } : problem("is not a valid IPv4 address");
  }
  if (text.includes(":")) {
    const groups = expandIpv6(text);
    return groups === undefined ? problem("is not a valid IPv6 address") : { family: 6, address: formatIpv6(groups) };
  }
  return problem("is not an IPv4 or IPv6 address");
}

/** The family of an address or network that is already valid. */
export function familyOf(address: string): Family {
  return address.includes(":") ? 6 : 4;
}

/** The address as a number, for prefix arithmetic. */
export function ipToBigInt(family: Family, address: string): bigint {
  if (family === 4) return address.split(".").reduce((acc, part) => (acc << 8n) | BigInt(part), 0n);
  const groups = expandIpv6(address) as number[];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** True when bits beyond the prefix are set (10.1.20.5/24 is a host in 10.1.20.0/24, not a network). */
export function hostBitsSet(cidr: Cidr): boolean {
  const width = cidr.family === 4 ? 32n : 128n;
  const hostBits = width - BigInt(cidr.prefixLength);
  return (ipToBigInt(cidr.family, cidr.address) & ((1n << hostBits) - 1n)) !== 0n;
}

/** The network address of a prefix, for messages that suggest it. */
export function networkOf(cidr: Cidr): string {
  return `${formatAddress(cidr.family, networkValue(cidr))}/${cidr.prefixLength}`;
}

/** The `n`th address of a network (`10.2.0.0/24`, 1 -> `10.2.0.1/24`), with the network's prefix length. */
export function nthAddress(network: string, n: number): string {
  const net = parseCidr(network);
  if (isProblem(net)) throw new Error(`"${network}" ${net.problem}`);
  const hostBits = BigInt((net.family === 4 ? 32 : 128) - net.prefixLength);
  if (BigInt(n) >= 1n << hostBits) throw new Error(`${network} has no room for address number ${n}`);
  return `${formatAddress(net.family, networkValue(net) + BigInt(n))}/${net.prefixLength}`;
}

/** How many networks of `prefixLength` a pool holds (`10.0.0.0/16`, 24 -> 256); 0 when they are wider than it. */
export function subnetCount(pool: Cidr, prefixLength: number): bigint {
  return prefixLength < pool.prefixLength ? 0n : 1n << BigInt(prefixLength - pool.prefixLength);
}

/** The `index`th network of `prefixLength` in a pool (`10.0.0.0/16`, 24, 3 -> `10.0.3.0/24`). */
export function subnetOf(pool: Cidr, prefixLength: number, index: bigint): string {
  const hostBits = BigInt((pool.family === 4 ? 32 : 128) - prefixLength);
  return `${formatAddress(pool.family, networkValue(pool) + (index << hostBits))}/${prefixLength}`;
}

/** Whether two networks share an address: of one family, and one holds the other. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  return networkValue({ ...a, prefixLength: shorter }) === networkValue({ ...b, prefixLength: shorter });
}

function networkValue(cidr: Cidr): bigint {
  const hostBits = BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefixLength);
  return (ipToBigInt(cidr.family, cidr.address) >> hostBits) << hostBits;
}

function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => (value >> shift) & 255n).join(".");
  return formatIpv6(Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn)));
}

/** Eight 16-bit groups, or undefined when the text is not an IPv6 address. Accepts an IPv4 tail. */
function expandIpv6(text: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  let body = text;
  const lastColon = body.lastIndexOf(":");
  if (body.slice(lastColon + 1).includes(".")) {
    // An IPv4 tail (::ffff:10.0.0.1) stands for the last two groups.
    const v4 = parseIp(body.slice(lastColon + 1));
    if (isProblem(v4) || v4.family !== 4) return undefined;
    const n = Number(ipToBigInt(4, v4.address));
    body = `${body.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    for (const group of part.split(":")) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) return undefined;
      out.push(Number.parseInt(group, 16));
    }
    return out;
  };
  const head = parse(halves[0] as string);
  const rest = halves.length === 2 ? parse(halves[1] as string) : [];
  if (head === undefined || rest === undefined) return undefined;
  const given = head.length + rest.length;
  if (halves.length === 1) return given === 8 ? head : undefined;
  if (given > 7) return undefined;
  return [...head, ...new Array<number>(8 - given).fill(0), ...rest];
}

/**
 * RFC 5952, as inet_ntop (and so `ip`) prints it: lowercase, no leading zeros, the longest run of
 * two or more zero groups as `::`, and an IPv4-mapped address with its dotted tail.
 */
function formatIpv6(groups: number[]): string {
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** `ip address add ADDRESS/PREFIX dev DEVICE [nodad]` */
export function addressAdd(cidr: string, device: string, nodad = false): string[] {
  return ["address", "add", cidr, "dev", device, ...(nodad ? ["nodad"] : [])];
}

/** `ip address change ADDRESS/PREFIX dev DEVICE [nodad]`: sets the address's flags to these. */
export function addressChange(cidr: string, device: string, nodad: boolean): string[] {
  return ["address", "change", cidr, "dev", device, ...(nodad ? ["nodad"] : [])];
}

/** `ip address delete ADDRESS/PREFIX dev DEVICE` */
export function addressDelete(cidr: string, device: string): string[] {
  return ["address", "delete", cidr, "dev", device];
}

/**
 * A network in CIDR notation without host bits, as iproute2 prints it. One with host bits set
 * (`10.1.20.5/24`) is refused, naming the network it probably means, never silently truncated.
 */
export function network(text: string): string | Problem {
  const net = parseCidr(text);
  if (isProblem(net)) return net;
  if (hostBitsSet(net)) return problem(`has host bits set; the network is ${networkOf(net)}`);
  return `${net.address}/${net.prefixLength}`;
}

/** A bare address (no prefix length), as iproute2 prints it. */
export function ipAddress(text: string): string | Problem {
  const ip = parseIp(text);
  return isProblem(ip) ? problem(`${ip.problem} (an address without a prefix length)`) : ip.address;
}

/** Whether a valid address is a multicast one: 224.0.0.0/4 or ff00::/8. */
export function isMulticast(address: string): boolean {
  if (familyOf(address) === 6) return address.startsWith("ff");
  const first = Number(address.split(".")[0]);
  return first >= 224 && first <= 239;
}
