/**
 * What a Topology is declared with (nodes, machines, links, segments, routes, checks) and what its
 * planning gives back (planned nodes, interfaces, routes, tunnels, checks): the public types, with
 * the rules of the declaration in plan.ts.
 */

import type { HostsEntry } from "../../../commands/netns-files.js";

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
  /**
   * Commands run once in its namespace when its links, addresses and routes are in place, in
   * order, each the program and its arguments (argv: no shell reads it), as containerlab's `exec`
   * (a NetnsExec). Not for a node that is the root namespace.
   */
  exec?: string[][] | undefined;
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
  /**
   * The interface names at the two ends, in the order of `between`. @default each named after the
   * node at the far end; on the second and later links between the same two nodes, that name and `-K`
   */
  devices?: [string, string] | undefined;
  /**
   * The two ends' address numbers on this link, in the order of `between`. A /31 or a /127 subnet
   * numbers its ends 0 and 1 in that order, whatever these say. @default each node's `number`
   */
  numbers?: [number, number] | undefined;
  /**
   * How the link is shaped (a Qdisc on each end it applies to): one shaping for both ends, so both
   * directions, or one per end in the order of `between` (`null`: that end is not shaped). A rate
   * alone is tbf's; delay, jitter, loss, duplicate and corrupt need the kernel's netem.
   */
  shaping?: LinkShaping | [LinkShaping | null, LinkShaping | null] | undefined;
}

/** A link end's shaping, in tc's units: `{ rate: "10mbit" }`, `{ delay: "20ms", jitter: "5ms", loss: "1%" }`. */
export interface LinkShaping {
  rate?: string | undefined;
  burst?: string | undefined;
  latency?: string | undefined;
  delay?: string | undefined;
  jitter?: string | undefined;
  loss?: string | undefined;
  duplicate?: string | undefined;
  corrupt?: string | undefined;
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
  /** A member's interface on it, by member. @default named after the segment */
  devices?: Record<string, string> | undefined;
  /** A member's address number on it, by member (a /31 or a /127 numbers its two members 0 and 1). @default the node's `number` */
  numbers?: Record<string, number> | undefined;
}

export interface TopologySpec {
  nodes: TopologyNode[];
  links?: TopologyLink[] | undefined;
  segments?: TopologySegment[] | undefined;
  /**
   * Where undeclared subnets come from; a family with no pool is used only where declared. Segments
   * take a /24 and a /64; links too, or with `pointToPoint` a /31 (RFC 3021) and a /127 (RFC 6164).
   */
  pools?: { ipv4?: string | undefined; ipv6?: string | undefined; pointToPoint?: boolean | undefined } | undefined;
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
  /** The segment's name, or `A--B` for the link between nodes A and B (`A--B-K` for the K-th, from 2). */
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
  /** Its startup commands, as declared. */
  exec?: string[][] | undefined;
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
   * Each member, with its interface's name (`device`) and its port's name in the segment's
   * namespace; a member on another machine reaches its port through a tunnel (`tunnel` is its end,
   * `port` the bridge's end).
   */
  members: { node: string; device: string; port: string; tunnel?: [PlannedTunnel, PlannedTunnel] | undefined }[];
  /** Set when a member is on another machine: every interface on the segment gets it, to fit the tunnels. */
  mtu?: number | undefined;
}

export interface PlannedLink {
  network: string;
  /** What names its resources: `A-B`, and `A-B-K` for the K-th link between the same two nodes, from 2. */
  key: string;
  subnets: string[];
  ends: [{ node: string; device: string }, { node: string; device: string }];
  /** Set when its ends are on different machines: each end's tunnel, in the order of `ends`. */
  tunnel?: [PlannedTunnel, PlannedTunnel] | undefined;
  mtu?: number | undefined;
  /** Set when it is shaped: each end's shaping, in the order of `ends` (`null`: not shaped). */
  shaping?: [LinkShaping | null, LinkShaping | null] | undefined;
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
