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

/** A network while it is planned: a segment or a link, with its members, their interfaces and its subnets. */
export interface Network {
  id: string;
  /** Where it is declared, for messages: `segments[1]`, `links[0]`. */
  at: string;
  segment: boolean;
  members: string[];
  /** Each member's interface on it, by member. */
  devices: Map<string, string>;
  /** The subnets its declaration gives. */
  declared: { subnet?: string | undefined; subnet6?: string | undefined };
  subnets: Partial<Record<Family, Cidr>>;
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

/** Gives each network without a subnet of `family` one from the pool: segments from its start, links from its end. */
export function allocate(family: Family, poolText: string | undefined, networks: Network[], problems: string[]): void {
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
  let front = 0n;
  let back = subnetCount(pool, width) - 1n;
  const next = (fromEnd: boolean): Cidr | undefined => {
    while (front <= back) {
      const candidate = parseCidr(subnetOf(pool, width, fromEnd ? back : front)) as Cidr;
      if (fromEnd) back -= 1n;
      else front += 1n;
      if (!taken.some((t) => overlaps(t, candidate))) return candidate;
    }
    return undefined;
  };
  const wanting = networks.filter((n) => n.subnets[family] === undefined);
  for (const network of wanting) {
    const subnet = next(!network.segment);
    if (subnet === undefined) {
      problems.push(
        `${property} "${poolText}" is too small for the ${wanting.length} networks without a declared subnet ` +
          `(a /${width} each, around the declared ones)`,
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

/** Every member's number must be a host of each of its network's subnets, and no two members may share one. */
export function checkNumbers(networks: Network[], numbers: Map<string, number>, problems: string[]): void {
  for (const network of networks) {
    const holders = new Map<number, string>();
    for (const member of network.members) {
      const number = numbers.get(member) as number;
      const other = holders.get(number);
      if (other !== undefined) {
        problems.push(`${network.at}: "${other}" and "${member}" both have address number ${number}`);
      }
      holders.set(number, member);
      for (const subnet of Object.values(network.subnets)) {
        const hostBits = (subnet.family === 4 ? 32 : 128) - subnet.prefixLength;
        // IPv4 keeps the last address for broadcast.
        const last = 2n ** BigInt(hostBits) - (subnet.family === 4 ? 2n : 1n);
        if (BigInt(number) > last) {
          problems.push(`${network.at}: "${member}" has address number ${number}, outside ${networkOf(subnet)}`);
        }
      }
    }
  }
}

export function subnetsOf(network: Network): string[] {
  return ([4, 6] as const).flatMap((f) => (network.subnets[f] === undefined ? [] : [networkOf(network.subnets[f])]));
}

export function addressOf(network: Network, family: Family, number: number): string | undefined {
  const subnet = network.subnets[family];
  return subnet === undefined ? undefined : nthAddress(networkOf(subnet), number);
}
