/**
 * Addressing a topology: the networks being planned, their declared subnets and those taken from
 * the pools, overlaps, and each member's address number on them.
 */

import {
  type Cidr,
  type Family,
  hostBitsSet,
  ipToBigInt,
  networkOf,
  nthAddress,
  overlaps,
  parseCidr,
  subnetCount,
  subnetOf,
} from "../../../commands/address.js";
import { isProblem } from "../../../rule.js";

/** The widths of the networks taken from a pool. */
const POOL_SUBNET: Record<Family, number> = { 4: 24, 6: 64 };
/** The width of a point-to-point subnet: two addresses, both the ends' (RFC 3021 for IPv4, RFC 6164 for IPv6). */
const POINT_TO_POINT: Record<Family, number> = { 4: 31, 6: 127 };

/** A network while it is planned: a segment or a link, with its members, their interfaces and its subnets. */
export interface Network {
  id: string;
  /** A link's: what names its resources (`A-B`, `A-B-K`). */
  key?: string | undefined;
  /** Where it is declared, for messages: `segments[1]`, `links[0]`. */
  at: string;
  segment: boolean;
  members: string[];
  /** Each member's interface on it, by member. */
  devices: Map<string, string>;
  /** The subnets its declaration gives. */
  declared: { subnet?: string | undefined; subnet6?: string | undefined };
  subnets: Partial<Record<Family, Cidr>>;
  /** Each member's address number on it (on its subnets that are not point-to-point). */
  numbers: Map<string, number>;
}

/** True for a /31 or a /127: its two addresses are the two ends', numbered 0 and 1. */
export function isPointToPoint(subnet: Cidr): boolean {
  return subnet.prefixLength === POINT_TO_POINT[subnet.family];
}

/**
 * A member's address number on one of the network's subnets: its number, or on a point-to-point
 * subnet its place among the members (0 or 1), whatever the numbers say (they number the
 * network's wider subnet of the other family, if it has one).
 */
export function numberOn(network: Network, subnet: Cidr, member: string): number {
  return isPointToPoint(subnet) ? network.members.indexOf(member) : (network.numbers.get(member) as number);
}

/** A declared subnet: a network (no host bits) of the family its property is for. */
export function declaredNetwork(at: string, text: string, family: Family, problems: string[]): Cidr | undefined {
  const parsed = parseCidr(text);
  if (isProblem(parsed)) problems.push(`${at} "${text}" ${parsed.problem}`);
  else if (parsed.family !== family) problems.push(`${at} "${text}" must be an IPv${family} network`);
  else if (hostBitsSet(parsed)) problems.push(`${at} "${text}" has host bits set; the network is ${networkOf(parsed)}`);
  else return parsed;
  return undefined;
}

/**
 * Gives each network without a subnet of `family` one from the pool: segments from its start,
 * links from its end, each skipping what is taken. Links take a point-to-point subnet with
 * `pointToPoint`.
 */
export function allocate(
  family: Family,
  poolText: string | undefined,
  networks: Network[],
  problems: string[],
  pointToPoint = false,
): void {
  if (poolText === undefined) return;
  const property = `pools.ipv${family}`;
  const pool = declaredNetwork(property, poolText, family, problems);
  if (pool === undefined) return;
  const width = POOL_SUBNET[family];
  if (pool.prefixLength > width) {
    problems.push(`${property} "${poolText}" must be /${width} or wider: it is cut into /${width} networks`);
    return;
  }
  const taken = networks.flatMap((n) => (n.subnets[family] === undefined ? [] : [n.subnets[family]]));
  // Where each walk through the pool (from its start or its end, at one width) goes on from.
  const walked = new Map<string, bigint>();
  const next = (fromEnd: boolean, prefixLength: number): Cidr | undefined => {
    const count = subnetCount(pool, prefixLength);
    const walk = `${fromEnd}/${prefixLength}`;
    for (let i = walked.get(walk) ?? 0n; i < count; i++) {
      const candidate = parseCidr(subnetOf(pool, prefixLength, fromEnd ? count - 1n - i : i)) as Cidr;
      if (taken.some((t) => overlaps(t, candidate))) continue;
      walked.set(walk, i + 1n);
      taken.push(candidate);
      return candidate;
    }
    walked.set(walk, count);
    return undefined;
  };
  const wanting = networks.filter((n) => n.subnets[family] === undefined);
  for (const network of wanting) {
    const subnet = next(!network.segment, !network.segment && pointToPoint ? POINT_TO_POINT[family] : width);
    if (subnet === undefined) {
      const links = pointToPoint ? `, a /${POINT_TO_POINT[family]} each link` : "";
      problems.push(
        `${property} "${poolText}" is too small for the ${wanting.length} networks without a declared subnet ` +
          `(a /${width} each${links}, around the declared ones)`,
      );
      return;
    }
    network.subnets[family] = subnet;
  }
}

/**
 * No two networks may share an address. Sorted by where they start, a network overlaps an earlier
 * one exactly when it starts before the widest reach so far ends (networks nest or are apart).
 */
export function checkOverlaps(networks: Network[], problems: string[]): void {
  for (const family of [4, 6] as const) {
    const width = family === 4 ? 32n : 128n;
    const spans = networks
      .filter((n) => n.subnets[family] !== undefined)
      .map((n) => {
        const subnet = n.subnets[family] as Cidr;
        const start = ipToBigInt(family, subnet.address);
        return { n, subnet, start, end: start + (1n << (width - BigInt(subnet.prefixLength))) - 1n };
      })
      .sort((x, y) =>
        x.start < y.start ? -1 : x.start > y.start ? 1 : y.subnet.prefixLength > x.subnet.prefixLength ? -1 : 1,
      );
    let widest: (typeof spans)[number] | undefined;
    for (const span of spans) {
      if (widest !== undefined && span.start <= widest.end) {
        problems.push(
          `${widest.n.at}'s subnet ${networkOf(widest.subnet)} overlaps ${span.n.at}'s ${networkOf(span.subnet)}`,
        );
      }
      if (widest === undefined || span.end > widest.end) widest = span;
    }
  }
}

/**
 * Every member's number must be a host of each of its network's subnets (a point-to-point one
 * has two members at most), and no two members may share one.
 */
export function checkNumbers(networks: Network[], problems: string[]): void {
  for (const network of networks) {
    const found = new Set<string>();
    for (const subnet of Object.values(network.subnets)) {
      const holders = new Map<number, string>();
      const hostBits = (subnet.family === 4 ? 32 : 128) - subnet.prefixLength;
      // IPv4 keeps its first address for the network and its last for broadcast, but on a /31.
      const [first, last] = isPointToPoint(subnet)
        ? [0n, 1n]
        : [1n, 2n ** BigInt(hostBits) - (subnet.family === 4 ? 2n : 1n)];
      for (const member of network.members) {
        const number = numberOn(network, subnet, member);
        const other = holders.get(number);
        if (other !== undefined)
          found.add(`${network.at}: "${other}" and "${member}" both have address number ${number}`);
        holders.set(number, member);
        if (BigInt(number) < first || BigInt(number) > last) {
          const ends = isPointToPoint(subnet) ? " (a point-to-point subnet has room for two members)" : "";
          found.add(`${network.at}: "${member}" has address number ${number}, outside ${networkOf(subnet)}${ends}`);
        }
      }
    }
    problems.push(...found);
  }
}

export function subnetsOf(network: Network): string[] {
  return ([4, 6] as const).flatMap((f) => (network.subnets[f] === undefined ? [] : [networkOf(network.subnets[f])]));
}

/** A member's address on the network's subnet of `family`, if it has one. */
export function addressOf(network: Network, family: Family, member: string): string | undefined {
  const subnet = network.subnets[family];
  return subnet === undefined ? undefined : nthAddress(networkOf(subnet), numberOn(network, subnet, member));
}
