/**
 * Topology planning: from a declaration of nodes, point-to-point links and shared segments, every
 * namespace, interface, address and route the Topology component makes. Pure (no Pulumi, no I/O),
 * so every problem with a declaration is found, all at once, before anything is made.
 *
 * The rules, chosen so that changing a declaration changes only what it names:
 * - Interfaces are named after what is on their other side: a node's interface on a segment
 *   after the segment, on a link after the node at the far end; in a segment's own namespace the
 *   bridge is named after the segment and each port after its member. Namespaces carry the prefix,
 *   interfaces need none, so node and segment names are at most 15 bytes (IFNAMSIZ) and no
 *   interface name ever grows with the prefix.
 * - A node's address on every network is that network's address number `number` (by default its
 *   position in `nodes`, from 1): appending a node, or moving one to another segment, moves no one else.
 * - Networks without a declared subnet are taken from the pools, /24 (IPv4) and /64 (IPv6):
 *   segments from the start of the pool in their order, links from its end, skipping declared
 *   subnets. Append segments and links to keep existing ones where they are.
 * - Routes: for each node and each network it is not on, the first router on a shortest path
 *   (through routers only); a node that is not a router and reaches everything through one
 *   gateway gets a default route instead.
 */
import {
  type Cidr,
  type Family,
  hostBitsSet,
  networkOf,
  nthAddress,
  overlaps,
  parseCidr,
  subnetCount,
  subnetOf,
} from "../../iproute/address.js";
import { interfaceName, netnsName } from "../../iproute/names.js";
import { routeDestination, routeGateway } from "../../iproute/route.js";
import { isProblem } from "../../rule.js";

export interface TopologyNode {
  /** The node's name: its namespace is the prefix and this; at most 15 bytes (it names interfaces). */
  name: string;
  /** A router forwards between its networks (IPv4 and IPv6 forwarding on) and carries computed routes. */
  router?: boolean | undefined;
  /** Its address number on every network it joins. @default its position in `nodes`, from 1 */
  number?: number | undefined;
  /** Its routes, instead of the computed ones (`via` an address on one of its networks). */
  routes?: TopologyRoute[] | undefined;
}

export interface TopologyRoute {
  /** A network in CIDR notation, or `default` (IPv4 when `via` is). */
  destination: string;
  /** The gateway, on one of the node's networks. */
  via: string;
}

/** A point-to-point link: a veth pair between two nodes. */
export interface TopologyLink {
  /** The two nodes it joins, by name. */
  between: [string, string];
  /** Its IPv4 network. @default the next free /24 from the end of `pools.ipv4` */
  subnet?: string | undefined;
  /** Its IPv6 network. @default the next free /64 from the end of `pools.ipv6` */
  subnet6?: string | undefined;
}

/** A shared segment: a bridge in a namespace of its own, a port per member. */
export interface TopologySegment {
  /** Its name: its namespace is the prefix and this; at most 15 bytes (it names interfaces). */
  name: string;
  /** The nodes on it, by name. */
  members: string[];
  /** Its IPv4 network. @default the next free /24 from the start of `pools.ipv4` */
  subnet?: string | undefined;
  /** Its IPv6 network. @default the next free /64 from the start of `pools.ipv6` */
  subnet6?: string | undefined;
}

export interface TopologySpec {
  nodes: TopologyNode[];
  links?: TopologyLink[] | undefined;
  segments?: TopologySegment[] | undefined;
  /** Where undeclared subnets come from; a family with no pool is used only where declared. */
  pools?: { ipv4?: string | undefined; ipv6?: string | undefined } | undefined;
  /** Put before every namespace name, so stacks can coexist. @default "" */
  prefix?: string | undefined;
}

/** One interface of a node: its name, the network it is on, and its addresses there. */
export interface PlannedInterface {
  name: string;
  /** The segment's name, or `A--B` for the link between nodes A and B. */
  network: string;
  addresses: string[];
}

export interface PlannedRoute {
  destination: string;
  via: string;
  device: string;
  /** What names the route's resource, stable while the route means the same. */
  key: string;
}

export interface PlannedNode {
  name: string;
  netns: string;
  router: boolean;
  interfaces: PlannedInterface[];
  routes: PlannedRoute[];
}

export interface PlannedSegment {
  name: string;
  netns: string;
  /** The bridge, in the segment's namespace. */
  bridge: string;
  subnets: string[];
  /** Each member, with its port's name in the segment's namespace. */
  members: { node: string; port: string }[];
}

export interface PlannedLink {
  network: string;
  subnets: string[];
  ends: [{ node: string; device: string }, { node: string; device: string }];
}

export interface TopologyPlan {
  nodes: PlannedNode[];
  segments: PlannedSegment[];
  links: PlannedLink[];
}

/** The widths of the networks taken from a pool. */
const POOL_SUBNET: Record<Family, number> = { 4: 24, 6: 64 };

/** A network while it is planned: a segment or a link, with its members and its subnets. */
interface Network {
  id: string;
  /** Where it is declared, for messages: `segments[1]`, `links[0]`. */
  at: string;
  segment: boolean;
  members: string[];
  subnets: Partial<Record<Family, Cidr>>;
}

/** Plans a topology, or throws one error that names every problem with the declaration. */
export function planTopology(spec: TopologySpec): TopologyPlan {
  const problems: string[] = [];
  const prefix = spec.prefix ?? "";
  const nodes = spec.nodes ?? [];
  const segments = spec.segments ?? [];
  const links = spec.links ?? [];
  if (nodes.length === 0) problems.push("nodes: a topology needs at least one node");

  const names = new Map<string, string>();
  const named = (at: string, name: string) => {
    const asInterface = interfaceName(name);
    if (isProblem(asInterface)) problems.push(`${at}.name "${name}" ${asInterface.problem} (it names interfaces)`);
    else if (name === "lo") problems.push(`${at}.name "lo" is the loopback interface of every namespace`);
    const asNetns = netnsName(`${prefix}${name}`);
    if (isProblem(asNetns)) problems.push(`${at}.name: the namespace "${prefix}${name}" ${asNetns.problem}`);
    const earlier = names.get(name);
    if (earlier !== undefined) problems.push(`${at}.name "${name}" is taken by ${earlier} (each is a namespace)`);
    else names.set(name, at);
  };
  for (const [i, node] of nodes.entries()) named(`nodes[${i}]`, node.name);
  for (const [i, segment] of segments.entries()) named(`segments[${i}]`, segment.name);
  const nodeNames = new Set(nodes.map((n) => n.name));
  const isNode = (at: string, name: string) => {
    if (nodeNames.has(name)) return true;
    problems.push(`${at} "${name}" is not a declared node`);
    return false;
  };

  const numbers = new Map<string, number>();
  nodes.forEach((node, i) => {
    const number = node.number ?? i + 1;
    if (!Number.isInteger(number) || number < 1) {
      problems.push(`nodes[${i}].number ${number} must be a whole number from 1`);
    }
    numbers.set(node.name, number);
  });

  const networks: Network[] = [];
  segments.forEach((segment, i) => {
    const at = `segments[${i}]`;
    const members = segment.members ?? [];
    if (members.length === 0) problems.push(`${at}.members: a segment needs at least one member`);
    members.forEach((m, j) => {
      if (members.indexOf(m) !== j) problems.push(`${at}.members[${j}] "${m}" is a member already`);
    });
    const known = members.filter((m, j) => isNode(`${at}.members[${j}]`, m) && members.indexOf(m) === j);
    networks.push({ id: segment.name, at, segment: true, members: known, subnets: {} });
  });
  const pairs = new Map<string, string>();
  links.forEach((link, i) => {
    const at = `links[${i}]`;
    const [a, b] = link.between ?? [];
    if (a === undefined || b === undefined || link.between.length !== 2) {
      problems.push(`${at}.between must name exactly two nodes`);
      return;
    }
    const known = [isNode(`${at}.between[0]`, a), isNode(`${at}.between[1]`, b)].every(Boolean);
    if (a === b) problems.push(`${at}.between joins "${a}" to itself`);
    const pair = [a, b].sort().join("--");
    const earlier = pairs.get(pair);
    if (earlier !== undefined) {
      problems.push(`${at}.between joins "${a}" and "${b}" as ${earlier} does (their interfaces would share a name)`);
    }
    pairs.set(pair, at);
    networks.push({ id: `${a}--${b}`, at, segment: false, members: known && a !== b ? [a, b] : [], subnets: {} });
  });

  // Declared subnets first: they are where they are; the pools fill in around them.
  const declared = [...segments, ...links];
  networks.forEach((network, i) => {
    const given = declared[i] as TopologySegment | TopologyLink;
    for (const [family, property] of [
      [4, "subnet"],
      [6, "subnet6"],
    ] as const) {
      const text = given[property];
      if (text === undefined) continue;
      const subnet = declaredNetwork(`${network.at}.${property}`, text, family, problems);
      if (subnet !== undefined) network.subnets[family] = subnet;
    }
  });
  for (const family of [4, 6] as const) {
    const pool = spec.pools?.[family === 4 ? "ipv4" : "ipv6"];
    allocate(family, pool, networks, problems);
  }
  const pooled = spec.pools?.ipv4 !== undefined || spec.pools?.ipv6 !== undefined;
  for (const network of networks) {
    // With a pool, a network left without a subnet is the pool's problem, named already.
    if (!pooled && network.subnets[4] === undefined && network.subnets[6] === undefined) {
      problems.push(`${network.at} has no subnet: declare one, or give pools.ipv4 or pools.ipv6`);
    }
  }
  checkOverlaps(networks, problems);
  checkNumbers(networks, numbers, problems);
  if (problems.length > 0) throw topologyError(problems);

  const planned = planNodes(nodes, networks, numbers, prefix, problems);
  if (problems.length > 0) throw topologyError(problems);
  return {
    nodes: planned,
    segments: networks
      .filter((n) => n.segment)
      .map((n) => ({
        name: n.id,
        netns: `${prefix}${n.id}`,
        bridge: n.id,
        subnets: subnetsOf(n),
        members: n.members.map((node) => ({ node, port: node })),
      })),
    links: networks
      .filter((n) => !n.segment)
      .map((n) => {
        const [a, b] = n.members as [string, string];
        const ends: PlannedLink["ends"] = [
          { node: a, device: b },
          { node: b, device: a },
        ];
        return { network: n.id, subnets: subnetsOf(n), ends };
      }),
  };
}

function topologyError(problems: string[]): Error {
  return new Error(`the topology has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
}

/** A declared subnet: a network (no host bits) of the family its property is for. */
function declaredNetwork(at: string, text: string, family: Family, problems: string[]): Cidr | undefined {
  const parsed = parseCidr(text);
  if (isProblem(parsed)) problems.push(`${at} "${text}" ${parsed.problem}`);
  else if (parsed.family !== family) problems.push(`${at} "${text}" must be an IPv${family} network`);
  else if (hostBitsSet(parsed)) problems.push(`${at} "${text}" has host bits set; the network is ${networkOf(parsed)}`);
  else return parsed;
  return undefined;
}

/** Gives each network without a subnet of `family` one from the pool: segments from its start, links from its end. */
function allocate(family: Family, poolText: string | undefined, networks: Network[], problems: string[]): void {
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

function checkOverlaps(networks: Network[], problems: string[]): void {
  networks.forEach((a, i) => {
    for (const b of networks.slice(i + 1)) {
      for (const family of [4, 6] as const) {
        const [x, y] = [a.subnets[family], b.subnets[family]];
        if (x !== undefined && y !== undefined && overlaps(x, y)) {
          problems.push(`${a.at}'s subnet ${networkOf(x)} overlaps ${b.at}'s ${networkOf(y)}`);
        }
      }
    }
  });
}

/** Every member's number must be a host of each of its network's subnets, and no two members may share one. */
function checkNumbers(networks: Network[], numbers: Map<string, number>, problems: string[]): void {
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

function subnetsOf(network: Network): string[] {
  return ([4, 6] as const).flatMap((f) => (network.subnets[f] === undefined ? [] : [networkOf(network.subnets[f])]));
}

/** The name of `node`'s interface on `network`. */
function deviceOn(network: Network, node: string): string {
  if (network.segment) return network.id;
  return network.members.find((m) => m !== node) as string;
}

function addressOf(network: Network, family: Family, number: number): string | undefined {
  const subnet = network.subnets[family];
  return subnet === undefined ? undefined : nthAddress(networkOf(subnet), number);
}

function planNodes(
  nodes: TopologyNode[],
  networks: Network[],
  numbers: Map<string, number>,
  prefix: string,
  problems: string[],
): PlannedNode[] {
  const routers = new Set(nodes.filter((n) => n.router === true).map((n) => n.name));
  const on = (node: string) => networks.filter((n) => n.members.includes(node));
  return nodes.map((node, i) => {
    const number = numbers.get(node.name) as number;
    const interfaces = on(node.name).map((network) => ({
      name: deviceOn(network, node.name),
      network: network.id,
      addresses: ([4, 6] as const).flatMap((f) => addressOf(network, f, number) ?? []),
    }));
    const routes =
      node.routes === undefined
        ? ([4, 6] as const).flatMap((f) => computedRoutes(node, f, networks, routers, numbers, problems))
        : givenRoutes(`nodes[${i}]`, node.routes, interfaces, problems);
    return { name: node.name, netns: `${prefix}${node.name}`, router: routers.has(node.name), interfaces, routes };
  });
}

function givenRoutes(
  at: string,
  routes: TopologyRoute[],
  interfaces: PlannedInterface[],
  problems: string[],
): PlannedRoute[] {
  return routes.flatMap((route, j) => {
    const destination = routeDestination(route.destination);
    const via = routeGateway(route.via);
    if (isProblem(destination))
      problems.push(`${at}.routes[${j}].destination "${route.destination}" ${destination.problem}`);
    if (isProblem(via)) problems.push(`${at}.routes[${j}].via "${route.via}" ${via.problem}`);
    if (isProblem(destination) || isProblem(via)) return [];
    // The device is the interface whose network holds the gateway.
    const gateway = parseCidr(`${via}/${via.includes(":") ? 128 : 32}`) as Cidr;
    const device = interfaces.find((iface) => iface.addresses.some((a) => overlaps(parseCidr(a) as Cidr, gateway)));
    if (device === undefined) {
      problems.push(`${at}.routes[${j}].via ${via} is on none of the node's networks`);
      return [];
    }
    return [{ destination, via, device: device.name, key: `route${j}` }];
  });
}

/**
 * The routes of one family for a node: breadth first from the node, over networks of that
 * family, going on only through routers; each network found is reached through the first router
 * of the way it was found by.
 */
function computedRoutes(
  node: TopologyNode,
  family: Family,
  networks: Network[],
  routers: Set<string>,
  numbers: Map<string, number>,
  problems: string[],
): PlannedRoute[] {
  const usable = networks.filter((n) => n.subnets[family] !== undefined);
  const own = usable.filter((n) => n.members.includes(node.name));
  if (own.length === 0) return [];
  const firstHop = new Map<Network, { router: string; via: Network }>();
  const seen = new Set<Network>(own);
  const reached = new Set<string>([node.name]);
  let frontier: { router: string; hop: { router: string; via: Network } }[] = [];
  for (const network of own) {
    for (const member of network.members) {
      if (routers.has(member) && !reached.has(member)) {
        reached.add(member);
        frontier.push({ router: member, hop: { router: member, via: network } });
      }
    }
  }
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { router, hop } of frontier) {
      for (const network of usable.filter((n) => n.members.includes(router) && !seen.has(n))) {
        seen.add(network);
        firstHop.set(network, hop);
        for (const member of network.members) {
          if (routers.has(member) && !reached.has(member)) {
            reached.add(member);
            next.push({ router: member, hop });
          }
        }
      }
    }
    frontier = next;
  }
  const missing = usable.filter((n) => !seen.has(n));
  if (missing.length > 0) {
    problems.push(
      `node "${node.name}" cannot reach ${missing.map((n) => n.at).join(", ")} over IPv${family}: ` +
        "no way there through routers (make a node on the way a router, or give the node its routes)",
    );
    return [];
  }
  const suffix = `v${family}`;
  const route = (network: Network | undefined, hop: { router: string; via: Network }): PlannedRoute => ({
    destination: network === undefined ? "default" : networkOf(network.subnets[family] as Cidr),
    via: (addressOf(hop.via, family, numbers.get(hop.router) as number) as string).split("/")[0] as string,
    device: deviceOn(hop.via, node.name),
    key: `${network === undefined ? "default" : `to-${network.id}`}-${suffix}`,
  });
  const hops = [...firstHop.entries()];
  const gateways = new Set(hops.map(([, hop]) => `${hop.router} ${hop.via.id}`));
  if (node.router !== true && gateways.size === 1) return [route(undefined, (hops[0] as (typeof hops)[0])[1])];
  return hops.map(([network, hop]) => route(network, hop));
}

/** The topology as a Mermaid flowchart: routers as hexagons, segments as circles, links and ports labelled. */
export function topologyMermaid(plan: TopologyPlan): string {
  const id = new Map<string, string>();
  const lines = ["flowchart LR"];
  plan.nodes.forEach((node, i) => {
    id.set(node.name, `n${i}`);
    lines.push(node.router ? `  n${i}{{"${node.name} (router)"}}` : `  n${i}["${node.name}"]`);
  });
  const addressesOf = (node: string, network: string) =>
    plan.nodes.find((n) => n.name === node)?.interfaces.find((i) => i.network === network);
  plan.segments.forEach((segment, i) => {
    lines.push(`  s${i}(("${segment.name}<br/>${segment.subnets.join("<br/>")}"))`);
    for (const { node } of segment.members) {
      const iface = addressesOf(node, segment.name);
      lines.push(`  ${id.get(node)} ---|"${[iface?.name, ...(iface?.addresses ?? [])].join(" ")}"| s${i}`);
    }
  });
  for (const link of plan.links) {
    const [a, b] = link.ends.map((end) => {
      const iface = addressesOf(end.node, link.network);
      return [iface?.name, ...(iface?.addresses ?? [])].join(" ");
    });
    lines.push(`  ${id.get(link.ends[0].node)} ---|"${a} — ${b}"| ${id.get(link.ends[1].node)}`);
  }
  return `${lines.join("\n")}\n`;
}
