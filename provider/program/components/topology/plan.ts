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
  familyOf,
  hostBitsSet,
  ipAddress,
  ipToBigInt,
  networkOf,
  nthAddress,
  overlaps,
  parseCidr,
  subnetCount,
  subnetOf,
} from "../../../commands/address.js";
import { interfaceName, netnsName } from "../../../commands/names.js";
import { type HostsEntry, hostName } from "../../../commands/netns-files.js";
import { routeDestination, routeGateway } from "../../../commands/route.js";
import { isProblem } from "../../../rule.js";

export interface TopologyNode {
  /** The node's name. Its namespace is the prefix and this, unless `netns` or `root` says otherwise. */
  name: string;
  /** A router forwards between its networks (IPv4 and IPv6 forwarding on) and carries computed routes. */
  router?: boolean | undefined;
  /** Its address number on every network it joins. @default its position in `nodes`, from 1 */
  number?: number | undefined;
  /** Its routes, instead of the computed ones (`via` an address on one of its networks). */
  routes?: TopologyRoute[] | undefined;
  /** Its namespace's name, as it is (no prefix). @default the prefix and `name` */
  netns?: string | undefined;
  /**
   * The node is the root namespace, the machine itself: no namespace is made for it, and what is
   * set there (its forwarding) is put back when the stack goes.
   */
  root?: boolean | undefined;
  /** The machine it is on, by its name in `machines`. @default the first of `machines` (or this machine) */
  machine?: string | undefined;
}

/**
 * One machine of a lab that spans several: how it is reached (`host`, as every resource takes it),
 * and its underlay, the address in its root namespace over which the lab's tunnels run.
 */
export interface TopologyMachine<Host = unknown> {
  /** How it is reached, as every resource's `host`. @default this machine */
  host?: Host | undefined;
  /** Its address for the tunnels (the VXLAN `local`, and the far machines' `remote`). */
  underlay: string;
  /** The underlay device the tunnels leave by (`dev`). @default the kernel's choice, by route */
  device?: string | undefined;
  /** The underlay's MTU: a tunnel's links get this less the VXLAN overhead (50 bytes, 70 over IPv6). @default 1500 */
  mtu?: number | undefined;
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
  /** The interface names at the two ends, in the order of `between`. @default each named after the node at the far end */
  devices?: [string, string] | undefined;
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
  /** The machine its bridge is on, by its name in `machines`. @default its first member's */
  machine?: string | undefined;
}

export interface TopologySpec {
  nodes: TopologyNode[];
  links?: TopologyLink[] | undefined;
  segments?: TopologySegment[] | undefined;
  /** Where undeclared subnets come from; a family with no pool is used only where declared. */
  pools?: { ipv4?: string | undefined; ipv6?: string | undefined } | undefined;
  /** Put before every namespace name, so stacks can coexist. @default "" */
  prefix?: string | undefined;
  /**
   * Reachability checks: `all-pairs` (every node pings every other, on each family), or the pairs
   * `[from, to]` to check, by node name. @default none
   */
  checks?: "all-pairs" | Array<[string, string]> | undefined;
  /**
   * Gives every node's namespace a hosts file (HostsFile) that names every node of the lab, at the
   * first address of each family on its first interface. @default false
   */
  hosts?: boolean | undefined;
  /**
   * The machines the lab spans, by names of your own. A link or a segment port whose two ends are
   * on different machines becomes a VXLAN tunnel between their underlays, its VNI derived from
   * the prefix and what it joins. @default one machine: this one
   */
  machines?: Record<string, TopologyMachine> | undefined;
}

/** A tunnel's end, on the machine of a link end or a segment port: its VNI, and the far machine's underlay. */
export interface PlannedTunnel {
  vni: number;
  /** This end's machine and underlay. */
  machine: string;
  local: string;
  /** The far end's machine and underlay. */
  remote: string;
  device?: string | undefined;
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
  /** The machine it is on (a name of `machines`); absent: this machine, with no machines declared. */
  machine?: string | undefined;
  /** Its namespace; undefined for the root namespace. */
  netns: string | undefined;
  router: boolean;
  interfaces: PlannedInterface[];
  routes: PlannedRoute[];
}

export interface PlannedSegment {
  name: string;
  /** The machine its namespace and bridge are on; absent as for a node. */
  machine?: string | undefined;
  netns: string;
  /** The bridge, in the segment's namespace. */
  bridge: string;
  subnets: string[];
  /**
   * Each member, with its port's name in the segment's namespace; a member on another machine
   * reaches its port through a tunnel (`tunnel` is its end, `port` the bridge's end).
   */
  members: { node: string; port: string; tunnel?: [PlannedTunnel, PlannedTunnel] | undefined }[];
  /** Set when a member is on another machine: every interface on the segment gets it, to fit the tunnels. */
  mtu?: number | undefined;
}

export interface PlannedLink {
  network: string;
  subnets: string[];
  ends: [{ node: string; device: string }, { node: string; device: string }];
  /** Set when its ends are on different machines: each end's tunnel, in the order of `ends`. */
  tunnel?: [PlannedTunnel, PlannedTunnel] | undefined;
  mtu?: number | undefined;
}

/** A check that `from` reaches `to` at `address`, the first address of one family on `to`'s first interface. */
export interface PlannedCheck {
  from: string;
  to: string;
  address: string;
  /** What names the check's resource: `FROM-reaches-TO-v4`. */
  key: string;
  /**
   * What the check comes after, as keys of the resources on its way (`netns:NODE`,
   * `address:NODE:INTERFACE:FAMILY`, `route:NODE:KEY`, `forwarding:NODE:FAMILY`): the two ends,
   * the routes and gateways there and back, and the routers' forwarding.
   */
  needs: string[];
}

export interface TopologyPlan {
  nodes: PlannedNode[];
  segments: PlannedSegment[];
  links: PlannedLink[];
  checks: PlannedCheck[];
  /** The lines of every node's hosts file; none unless `hosts` is asked for. */
  hosts: HostsEntry[];
}

/** The widths of the networks taken from a pool. */
const POOL_SUBNET: Record<Family, number> = { 4: 24, 6: 64 };

/** A network while it is planned: a segment or a link, with its members, their interfaces and its subnets. */
interface Network {
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

/** Each node's name at the first address of each family on its first interface: what `hosts: true` writes. */
function planHosts(nodes: PlannedNode[], problems: string[]): HostsEntry[] {
  return nodes.flatMap((node, i) => {
    const name = hostName(node.name);
    if (isProblem(name)) {
      problems.push(`nodes[${i}] "${node.name}" cannot be named in a hosts file (hosts: true): it ${name.problem}`);
      return [];
    }
    const addresses = node.interfaces[0]?.addresses ?? [];
    return ([4, 6] as const).flatMap((family) => {
      const first = addresses.find((a) => familyOf(a) === family);
      return first === undefined ? [] : [{ address: first.split("/")[0] as string, names: [node.name] }];
    });
  });
}

/** Plans a topology, or throws one error that names every problem with the declaration. */
export function planTopology(spec: TopologySpec): TopologyPlan {
  const problems: string[] = [];
  const prefix = spec.prefix ?? "";
  const nodes = spec.nodes ?? [];
  const segments = spec.segments ?? [];
  const links = spec.links ?? [];
  if (nodes.length === 0) problems.push("nodes: a topology needs at least one node");

  const where = new Map<string, string>();
  const namespaces = new Map<string, string>();
  const named = (at: string, name: string, netns: string | undefined) => {
    const earlier = where.get(name);
    if (earlier !== undefined) {
      problems.push(`${at}.name "${name}" is taken by ${earlier}`);
      return;
    }
    where.set(name, at);
    if (netns === undefined) return;
    const asNetns = netnsName(netns);
    if (isProblem(asNetns)) problems.push(`${at}: the namespace name "${netns}" ${asNetns.problem}`);
    const holder = namespaces.get(netns);
    if (holder !== undefined) problems.push(`${at}: the namespace "${netns}" is ${holder}'s already`);
    else namespaces.set(netns, at);
  };
  const netnsOf = new Map<string, string | undefined>();
  for (const [i, node] of nodes.entries()) {
    const netns = node.root === true ? undefined : (node.netns ?? `${prefix}${node.name}`);
    if (node.root === true && node.netns !== undefined) {
      problems.push(`nodes[${i}] has both root and netns: the root namespace has no name`);
    }
    netnsOf.set(node.name, netns);
    named(`nodes[${i}]`, node.name, netns);
  }
  for (const [i, segment] of segments.entries()) {
    named(`segments[${i}]`, segment.name, `${prefix}${segment.name}`);
    interfaceNamed(`segments[${i}].name`, segment.name, "it names the bridge and the members' interfaces", problems);
  }
  const nodeIndex = new Map(nodes.map((n, i) => [n.name, i]));
  const isNode = (at: string, name: string) => {
    if (nodeIndex.has(name)) return true;
    problems.push(`${at} "${name}" is not a declared node`);
    return false;
  };
  /** A node's name used as an interface's name: checked once per node. */
  const nodeNamesInterface = new Set<string>();
  const nodeAsInterface = (node: string, why: string) => {
    if (nodeNamesInterface.has(node)) return;
    nodeNamesInterface.add(node);
    interfaceNamed(`nodes[${nodeIndex.get(node)}].name`, node, why, problems);
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
    // Each member's port, in the segment's namespace, is named after the member.
    for (const m of known) nodeAsInterface(m, `it names its port on ${at}`);
    const devices = new Map(known.map((m) => [m, segment.name]));
    networks.push({ id: segment.name, at, segment: true, members: known, devices, declared: segment, subnets: {} });
  });
  links.forEach((link, i) => {
    const at = `links[${i}]`;
    const [a, b] = link.between ?? [];
    if (a === undefined || b === undefined || link.between.length !== 2) {
      problems.push(`${at}.between must name exactly two nodes`);
      return;
    }
    const known = [isNode(`${at}.between[0]`, a), isNode(`${at}.between[1]`, b)].every(Boolean);
    if (a === b) problems.push(`${at}.between joins "${a}" to itself`);
    if (!known || a === b) return;
    const devices = new Map<string, string>();
    if (link.devices === undefined) {
      nodeAsInterface(b, `it names the interface at the far end of ${at}`);
      nodeAsInterface(a, `it names the interface at the far end of ${at}`);
      devices.set(a, b).set(b, a);
    } else {
      for (const [j, device] of link.devices.entries()) interfaceNamed(`${at}.devices[${j}]`, device, "", problems);
      devices.set(a, link.devices[0]).set(b, link.devices[1]);
    }
    networks.push({ id: `${a}--${b}`, at, segment: false, members: [a, b], devices, declared: link, subnets: {} });
  });
  checkDevices(nodes, networks, problems);

  // Declared subnets first: they are where they are; the pools fill in around them.
  for (const network of networks) {
    for (const [family, property] of [
      [4, "subnet"],
      [6, "subnet6"],
    ] as const) {
      const text = network.declared[property];
      if (text === undefined) continue;
      const subnet = declaredNetwork(`${network.at}.${property}`, text, family, problems);
      if (subnet !== undefined) network.subnets[family] = subnet;
    }
  }
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

  const machines = new Machines(spec, problems);
  const machineOf = new Map(nodes.map((node, i) => [node.name, machines.of(`nodes[${i}].machine`, node.machine)]));
  const segmentMachine = new Map(
    segments.map((segment, i) => [
      segment.name,
      segment.machine === undefined
        ? machineOf.get(segment.members?.[0] ?? "")
        : machines.of(`segments[${i}].machine`, segment.machine),
    ]),
  );
  const planned: PlannedNode[] = planNodes(nodes, networks, numbers, netnsOf, problems).map((node) => {
    const machine = machineOf.get(node.name);
    return machine === undefined ? node : { ...node, machine };
  });
  const checks = planChecks(spec.checks, planned, problems);
  const hosts = spec.hosts === true ? planHosts(planned, problems) : [];
  if (problems.length > 0) throw topologyError(problems);
  const vnis = new Vnis(prefix);
  return {
    nodes: planned,
    checks,
    hosts,
    segments: networks
      .filter((n) => n.segment)
      .map((n) => {
        const machine = segmentMachine.get(n.id);
        const members = n.members.map((node) => ({
          node,
          port: node,
          tunnel: machines.tunnel(vnis.next(`${n.id}/${node}`), machineOf.get(node), machine),
        }));
        const mtu = machines.mtu(members.flatMap((m) => m.tunnel ?? []));
        return {
          name: n.id,
          ...(machine === undefined ? {} : { machine }),
          netns: `${prefix}${n.id}`,
          bridge: n.id,
          subnets: subnetsOf(n),
          members: members.map(({ tunnel, ...m }) => (tunnel === undefined ? m : { ...m, tunnel })),
          ...(mtu === undefined ? {} : { mtu }),
        };
      }),
    links: networks
      .filter((n) => !n.segment)
      .map((n) => {
        const [a, b] = n.members as [string, string];
        const ends: PlannedLink["ends"] = [
          { node: a, device: n.devices.get(a) as string },
          { node: b, device: n.devices.get(b) as string },
        ];
        const tunnel = machines.tunnel(vnis.next(n.id), machineOf.get(a), machineOf.get(b));
        if (tunnel === undefined) return { network: n.id, subnets: subnetsOf(n), ends };
        return { network: n.id, subnets: subnetsOf(n), ends, tunnel, mtu: machines.mtu(tunnel) };
      }),
  };
}

/** The machines of `machines`, checked once; and the tunnels between them. */
class Machines {
  private readonly declared: Map<string, TopologyMachine>;
  private readonly first: string | undefined;

  constructor(
    spec: TopologySpec,
    private readonly problems: string[],
  ) {
    this.declared = new Map(Object.entries(spec.machines ?? {}));
    this.first = this.declared.keys().next().value;
    for (const [name, machine] of this.declared) {
      const at = `machines.${name}`;
      const underlay = ipAddress(machine.underlay ?? "");
      if (isProblem(underlay)) problems.push(`${at}.underlay "${machine.underlay}" ${underlay.problem}`);
      if (machine.device !== undefined) interfaceNamed(`${at}.device`, machine.device, "", problems);
      const mtu = machine.mtu;
      if (mtu !== undefined && (!Number.isInteger(mtu) || mtu < 1280 || mtu > 65535)) {
        problems.push(`${at}.mtu ${mtu} must be a whole number from 1280 to 65535`);
      }
    }
  }

  /** The machine a node or segment names (or the first one); a name not declared is a problem. */
  of(at: string, name: string | undefined): string | undefined {
    if (name === undefined) return this.first;
    if (!this.declared.has(name)) this.problems.push(`${at} "${name}" is not one of machines`);
    return name;
  }

  /** The two ends of a tunnel from machine `a` to machine `b`; none when they are one machine. */
  tunnel(vni: () => number, a: string | undefined, b: string | undefined): [PlannedTunnel, PlannedTunnel] | undefined {
    if (a === b || a === undefined || b === undefined) return undefined;
    const [ma, mb] = [this.declared.get(a), this.declared.get(b)] as [TopologyMachine, TopologyMachine];
    const number = vni();
    const end = (machine: string, here: TopologyMachine, there: TopologyMachine): PlannedTunnel => ({
      vni: number,
      machine,
      local: here.underlay,
      remote: there.underlay,
      ...(here.device === undefined ? {} : { device: here.device }),
    });
    return [end(a, ma, mb), end(b, mb, ma)];
  }

  /** The MTU that fits every one of these tunnels: the smallest underlay's, less VXLAN's overhead. */
  mtu(tunnels: PlannedTunnel[]): number | undefined {
    if (tunnels.length === 0) return undefined;
    // Outer IPv4 (20) or IPv6 (40) header, UDP (8), VXLAN (8) and the inner Ethernet header (14).
    const fits = (t: PlannedTunnel) => (this.declared.get(t.machine)?.mtu ?? 1500) - (t.local.includes(":") ? 70 : 50);
    return Math.min(...tunnels.map(fits));
  }
}

/**
 * The VNIs of a lab's tunnels: each from a hash of the prefix and what it joins, so it stays while
 * the lab grows and differs between labs of other prefixes; one taken already moves to the next free.
 */
class Vnis {
  private readonly taken = new Set<number>();

  constructor(private readonly prefix: string) {}

  /** The VNI for `key`, worked out only when a tunnel needs one. */
  next(key: string): () => number {
    return () => {
      let vni = (fnv1a(`${this.prefix}\u0000${key}`) % 16777214) + 1;
      while (this.taken.has(vni)) vni = (vni % 16777214) + 1;
      this.taken.add(vni);
      return vni;
    };
  }
}

/** FNV-1a, 32 bits: a small, stable hash of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

function topologyError(problems: string[]): Error {
  return new Error(`the topology has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
}

/** A name that becomes an interface's: the kernel's rule, and not `lo`, which every namespace has. */
function interfaceNamed(at: string, name: string, why: string, problems: string[]): void {
  const because = why === "" ? "" : ` (${why})`;
  const checked = interfaceName(name);
  if (isProblem(checked)) problems.push(`${at} "${name}" ${checked.problem}${because}`);
  else if (name === "lo") problems.push(`${at} "lo" is the loopback interface of every namespace${because}`);
}

/** No node may have two interfaces of one name (two links to one node, or declared devices that clash). */
function checkDevices(nodes: TopologyNode[], networks: Network[], problems: string[]): void {
  const seen = new Map<string, string>();
  for (const network of networks) {
    for (const [node, device] of network.devices) {
      const key = `${node}\u0000${device}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        const i = nodes.findIndex((n) => n.name === node);
        problems.push(
          `nodes[${i}] "${node}" would have two interfaces named "${device}", on ${earlier} and ${network.at}`,
        );
      } else seen.set(key, network.at);
    }
  }
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

/**
 * No two networks may share an address. Sorted by where they start, a network overlaps an earlier
 * one exactly when it starts before the widest reach so far ends (networks nest or are apart).
 */
function checkOverlaps(networks: Network[], problems: string[]): void {
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

function addressOf(network: Network, family: Family, number: number): string | undefined {
  const subnet = network.subnets[family];
  return subnet === undefined ? undefined : nthAddress(networkOf(subnet), number);
}

/** What the route computation looks at: each node's networks, and which nodes forward. */
interface Graph {
  networksOf: Map<string, Network[]>;
  routers: Set<string>;
  numbers: Map<string, number>;
}

function planNodes(
  nodes: TopologyNode[],
  networks: Network[],
  numbers: Map<string, number>,
  netnsOf: Map<string, string | undefined>,
  problems: string[],
): Omit<PlannedNode, "machine">[] {
  const networksOf = new Map<string, Network[]>(nodes.map((n) => [n.name, []]));
  for (const network of networks) for (const m of network.members) networksOf.get(m)?.push(network);
  const graph: Graph = {
    networksOf,
    routers: new Set(nodes.filter((n) => n.router === true).map((n) => n.name)),
    numbers,
  };
  return nodes.map((node, i) => {
    const number = numbers.get(node.name) as number;
    const interfaces = (networksOf.get(node.name) ?? []).map((network) => ({
      name: network.devices.get(node.name) as string,
      network: network.id,
      addresses: ([4, 6] as const).flatMap((f) => addressOf(network, f, number) ?? []),
    }));
    const routes =
      node.routes === undefined
        ? ([4, 6] as const).flatMap((f) => computedRoutes(node, f, networks, graph, problems))
        : givenRoutes(`nodes[${i}]`, node.routes, interfaces, problems);
    const netns = netnsOf.get(node.name);
    return { name: node.name, netns, router: graph.routers.has(node.name), interfaces, routes };
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
  graph: Graph,
  problems: string[],
): PlannedRoute[] {
  const hasFamily = (n: Network) => n.subnets[family] !== undefined;
  const own = (graph.networksOf.get(node.name) ?? []).filter(hasFamily);
  if (own.length === 0) return [];
  type Hop = { router: string; via: Network };
  const firstHop = new Map<Network, Hop>();
  const seen = new Set<Network>(own);
  const reached = new Set<string>([node.name]);
  let frontier: { router: string; hop: Hop }[] = [];
  const reach = (network: Network, hop: (router: string) => Hop, into: typeof frontier) => {
    for (const member of network.members) {
      if (graph.routers.has(member) && !reached.has(member)) {
        reached.add(member);
        into.push({ router: member, hop: hop(member) });
      }
    }
  };
  for (const network of own) reach(network, (router) => ({ router, via: network }), frontier);
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { router, hop } of frontier) {
      for (const network of graph.networksOf.get(router) ?? []) {
        if (!hasFamily(network) || seen.has(network)) continue;
        seen.add(network);
        firstHop.set(network, hop);
        reach(network, () => hop, next);
      }
    }
    frontier = next;
  }
  const missing = networks.filter((n) => hasFamily(n) && !seen.has(n));
  if (missing.length > 0) {
    problems.push(
      `node "${node.name}" cannot reach ${missing.map((n) => n.at).join(", ")} over IPv${family}: ` +
        "no way there through routers (make a node on the way a router, or give the node its routes)",
    );
    return [];
  }
  const route = (network: Network | undefined, hop: Hop): PlannedRoute => ({
    destination: network === undefined ? "default" : networkOf(network.subnets[family] as Cidr),
    via: (addressOf(hop.via, family, graph.numbers.get(hop.router) as number) as string).split("/")[0] as string,
    device: hop.via.devices.get(node.name) as string,
    key: `${network === undefined ? "default" : `to-${network.id}`}-v${family}`,
  });
  const hops = [...firstHop.entries()];
  const gateways = new Set(hops.map(([, hop]) => hop));
  const [first] = hops;
  if (node.router !== true && gateways.size === 1 && first !== undefined) return [route(undefined, first[1])];
  return hops.map(([network, hop]) => route(network, hop));
}

/** The checks of `checks`: for each pair, one per family of the destination's first interface. */
function planChecks(checks: TopologySpec["checks"], nodes: PlannedNode[], problems: string[]): PlannedCheck[] {
  if (checks === undefined) return [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  let pairs: Array<[string, string]>;
  if (checks === "all-pairs") {
    pairs = nodes.flatMap((from) =>
      nodes.filter((to) => to !== from).map((to): [string, string] => [from.name, to.name]),
    );
  } else if (Array.isArray(checks)) {
    pairs = checks.filter(([from, to], i) => {
      for (const [j, name] of [from, to].entries()) {
        if (!byName.has(name)) problems.push(`checks[${i}][${j}] "${name}" is not a declared node`);
      }
      return byName.has(from) && byName.has(to);
    });
  } else {
    problems.push(`checks must be "all-pairs" or a list of [from, to] node names, got ${JSON.stringify(checks)}`);
    return [];
  }
  const paths = new Paths(nodes);
  return pairs.flatMap(([from, to]) => {
    const destination = byName.get(to) as PlannedNode;
    const iface = destination.interfaces[0];
    return (iface?.addresses ?? []).map((cidr) => {
      const address = cidr.split("/")[0] as string;
      const family = familyOf(address);
      const source = byName.get(from) as PlannedNode;
      // What the probe and its answer pass through: there, and the way back to where it left from.
      const there = paths.walk(source, address);
      const back = there.leftFrom === undefined ? [] : paths.walk(destination, there.leftFrom).needs;
      const needs = [`netns:${from}`, `netns:${to}`, `address:${to}:${iface?.name}:${family}`, ...there.needs, ...back];
      return { from, to, address, key: `${from}-reaches-${to}-v${family}`, needs: [...new Set(needs)] };
    });
  });
}

/**
 * The way a packet goes through a planned topology, by the planned routes, as the kernel would
 * take them (the longest prefix that holds the address). What a check depends on is what is on
 * its way: the routes taken, the gateways' addresses, the routers' forwarding.
 */
class Paths {
  /** Each address (bare) by the node and interface that have it. */
  private readonly owners = new Map<string, { node: PlannedNode; iface: PlannedInterface }>();

  constructor(nodes: PlannedNode[]) {
    for (const node of nodes) {
      for (const iface of node.interfaces) {
        for (const cidr of iface.addresses) this.owners.set(cidr.split("/")[0] as string, { node, iface });
      }
    }
  }

  /** From `start` to `address`: the keys of what is on the way, and the address it left `start` from. */
  walk(start: PlannedNode, address: string): { needs: string[]; leftFrom: string | undefined } {
    const family = familyOf(address);
    const target = parseCidr(`${address}/${family === 4 ? 32 : 128}`) as Cidr;
    const needs: string[] = [];
    let leftFrom: string | undefined;
    let node = start;
    // A node is at most once on a shortest way; the bound stops a loop of given routes.
    for (let hops = 0; hops <= this.owners.size; hops++) {
      const on = node.interfaces.find((i) => i.addresses.some((a) => overlaps(parseCidr(a) as Cidr, target)));
      const route = on === undefined ? routeFor(node, target) : undefined;
      const device = on?.name ?? route?.device;
      const own = node.interfaces.find((i) => i.name === device)?.addresses.find((a) => familyOf(a) === family);
      if (own !== undefined) {
        needs.push(`address:${node.name}:${device}:${family}`);
        leftFrom ??= own.split("/")[0];
      }
      if (on !== undefined || route === undefined) break;
      needs.push(`route:${node.name}:${route.key}`);
      const next = this.owners.get(route.via);
      if (next === undefined) break;
      needs.push(`address:${next.node.name}:${next.iface.name}:${family}`, `forwarding:${next.node.name}:${family}`);
      node = next.node;
    }
    return { needs, leftFrom };
  }
}

/** The route a node takes to `target`: the longest of its prefixes of that family that hold it. */
function routeFor(node: PlannedNode, target: Cidr): PlannedRoute | undefined {
  let best: { route: PlannedRoute; length: number } | undefined;
  for (const route of node.routes) {
    if (familyOf(route.via) !== target.family) continue;
    const prefix = route.destination === "default" ? undefined : (parseCidr(route.destination) as Cidr);
    if (prefix !== undefined && !overlaps(prefix, target)) continue;
    const length = prefix?.prefixLength ?? 0;
    if (best === undefined || length > best.length) best = { route, length };
  }
  return best?.route;
}

/** The topology as a Mermaid flowchart: routers as hexagons, segments as circles, links and ports labelled. */
export function topologyMermaid(plan: TopologyPlan): string {
  const id = new Map<string, string>();
  const lines = ["flowchart LR"];
  // A lab over several machines: each machine's nodes and segments in a box of its own.
  const machines = [...new Set([...plan.nodes, ...plan.segments].flatMap((x) => x.machine ?? []))];
  const boxes = machines.length > 0 ? machines : [undefined];
  boxes.forEach((machine, m) => {
    const indent = machine === undefined ? "  " : "    ";
    if (machine !== undefined) lines.push(`  subgraph m${m}["${machine}"]`);
    plan.nodes.forEach((node, i) => {
      if (node.machine !== machine) return;
      id.set(node.name, `n${i}`);
      lines.push(node.router ? `${indent}n${i}{{"${node.name} (router)"}}` : `${indent}n${i}["${node.name}"]`);
    });
    plan.segments.forEach((segment, i) => {
      if (segment.machine !== machine) return;
      lines.push(`${indent}s${i}(("${segment.name}<br/>${segment.subnets.join("<br/>")}"))`);
    });
    if (machine !== undefined) lines.push("  end");
  });
  const addressesOf = (node: string, network: string) =>
    plan.nodes.find((n) => n.name === node)?.interfaces.find((i) => i.network === network);
  plan.segments.forEach((segment, i) => {
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
