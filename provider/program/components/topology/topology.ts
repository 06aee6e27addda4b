/**
 * Topology: any shape of lab, declared as data. Nodes are namespaces (a router forwards);
 * point-to-point links are veth pairs; a segment is a bridge in a namespace of its own with a port
 * per member. Addresses and routes are planned by plan.ts, which names its rules.
 */
import * as pulumi from "@pulumi/pulumi";
import { familyOf } from "../../../commands/address.js";
import type { HostInput } from "../../../commands/host.js";
import { Bridge } from "../../bridge.js";
import { HostsFile } from "../../hosts-file.js";
import { IpAddress } from "../../ip-address.js";
import { NetNamespace } from "../../net-namespace.js";
import { Reachability } from "../../reachability.js";
import { Route } from "../../route.js";
import { Sysctl } from "../../sysctl.js";
import { VethPair } from "../../veth-pair.js";
import { Vxlan } from "../../vxlan.js";
import {
  type PlannedNode,
  type PlannedTunnel,
  planTopology,
  type TopologyMachine,
  type TopologyPlan,
  type TopologySpec,
  topologyMermaid,
} from "./plan.js";

export interface TopologyArgs extends Omit<TopologySpec, "machines"> {
  machines?: Record<string, TopologyMachine<pulumi.Input<HostInput>>> | undefined;
}

/** How the resources of a machine of the plan are reached: its `host` (undefined: this machine). */
export type HostOf = (machine: string | undefined) => pulumi.Input<HostInput> | undefined;

/** Each family's forwarding switch, in a router's namespace. */
const FORWARDING = { 4: "net.ipv4.ip_forward", 6: "net.ipv6.conf.all.forwarding" } as const;

/**
 * A lab of any shape: nodes joined by links and segments, addressed from pools, with routes so that
 * every node reaches every other. Bad declarations are refused before anything is made, with every
 * problem named.
 */
export class Topology extends pulumi.ComponentResource {
  /** Each node by name: its namespace, interfaces with their addresses, and routes. Resolves once all are in place. */
  readonly nodes: pulumi.Output<Record<string, PlannedNode>>;
  /** The results of the declared `checks` (none by default): each pair, the address probed, the round trip. */
  readonly checks: pulumi.Output<CheckResult[]>;
  /** The topology as a Mermaid flowchart, for a README or a stack output. */
  readonly mermaid: pulumi.Output<string>;

  constructor(name: string, args: TopologyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulumi-netns:index:Topology", name, {}, opts);
    const plan = planTopology(args);
    const hostOf: HostOf = (machine) => (machine === undefined ? undefined : args.machines?.[machine]?.host);
    const made = makeTopology(name, plan, () => ({ parent: this }), hostOf);
    this.nodes = made.nodes;
    this.checks = made.checks;
    this.mermaid = pulumi.output(topologyMermaid(plan));
    this.registerOutputs({ nodes: this.nodes, checks: this.checks, mermaid: this.mermaid });
  }
}

/**
 * Makes the resources of a planned topology, each named `NAME-…` with the options `optsOf` gives
 * for its name (its parent, and for StarLab the aliases of its former names). Returns the nodes,
 * resolving once every resource is in place.
 */
export function makeTopology(
  name: string,
  plan: TopologyPlan,
  optsOf: (child: string) => pulumi.CustomResourceOptions,
  hostOf: HostOf = () => undefined,
): MadeTopology {
  const hostOfNode = new Map(plan.nodes.map((node) => [node.name, hostOf(node.machine)]));
  /** One end of a tunnel, as a Vxlan on its machine (see plan.ts, PlannedTunnel). */
  const tunnelEnd = (
    at: string,
    end: PlannedTunnel,
    link: {
      name: string;
      netns?: pulumi.Input<string> | undefined;
      master?: pulumi.Input<string>;
      mtu: number | undefined;
    },
  ) =>
    new Vxlan(
      at,
      {
        host: hostOf(end.machine),
        vni: end.vni,
        local: end.local,
        remote: end.remote,
        device: end.device,
        // The machine's own network: the tunnel's socket is in its root namespace, the link in the node's.
        underlayNetns: link.netns === undefined ? undefined : null,
        ...link,
      },
      optsOf(at),
    ).name;
  const done: pulumi.Output<string>[] = [];
  /** What checks can come after, by the keys of the plan's `needs` (plan.ts). */
  const byKey = new Map<string, pulumi.Resource>();
  const keep = <R extends pulumi.Resource>(key: string, resource: R): R => {
    byKey.set(key, resource);
    return resource;
  };

  // Each node's namespace, made here; undefined for a node that is the root namespace.
  const namespaces = new Map<string, pulumi.Output<string> | undefined>();
  for (const node of plan.nodes) {
    const at = `${name}-${node.name}`;
    const netns =
      node.netns === undefined
        ? undefined
        : keep(
            `netns:${node.name}`,
            new NetNamespace(at, { host: hostOfNode.get(node.name), name: node.netns }, optsOf(at)),
          ).name;
    namespaces.set(node.name, netns);
    if (!node.router) continue;
    const families = new Set(node.interfaces.flatMap((i) => i.addresses.map(familyOf)));
    for (const family of [4, 6] as const) {
      if (!families.has(family)) continue;
      const forwarding = `${at}-ipv${family}-forwarding`;
      const sysctl = new Sysctl(
        forwarding,
        { host: hostOfNode.get(node.name), key: FORWARDING[family], value: "1", netns },
        optsOf(forwarding),
      );
      done.push(keep(`forwarding:${node.name}:${family}`, sysctl).value);
    }
  }
  const netnsOf = (node: string) => namespaces.get(node);

  // Each node's end of each network, by `node/network`: its interface, made by a veth pair.
  const ends = new Map<string, pulumi.Output<string>>();
  for (const segment of plan.segments) {
    const at = `${name}-${segment.name}`;
    const host = hostOf(segment.machine);
    const ns = new NetNamespace(at, { host, name: segment.netns }, optsOf(at)).name;
    const bridge = new Bridge(`${at}-bridge`, { host, name: segment.bridge, netns: ns }, optsOf(`${at}-bridge`));
    for (const member of segment.members) {
      const child = `${at}-${member.node}`;
      if (member.tunnel !== undefined) {
        // A member on another machine: its interface and its port are the two ends of a tunnel.
        const [own, port] = member.tunnel;
        const netns = netnsOf(member.node);
        ends.set(
          `${member.node}/${segment.name}`,
          tunnelEnd(child, own, { name: segment.name, netns, mtu: segment.mtu }),
        );
        tunnelEnd(`${child}-port`, port, { name: member.port, netns: ns, master: bridge.name, mtu: segment.mtu });
        continue;
      }
      const pair = new VethPair(
        child,
        {
          host,
          name: segment.name,
          netns: netnsOf(member.node),
          peerName: member.port,
          peerNetns: ns,
          peerMaster: bridge.name,
          mtu: segment.mtu,
        },
        optsOf(child),
      );
      ends.set(`${member.node}/${segment.name}`, pair.name);
    }
  }
  for (const link of plan.links) {
    const [a, b] = link.ends;
    const at = `${name}-${a.node}-${b.node}`;
    if (link.tunnel !== undefined) {
      const [ta, tb] = link.tunnel;
      const mtu = link.mtu;
      ends.set(
        `${a.node}/${link.network}`,
        tunnelEnd(`${at}-${a.node}`, ta, { name: a.device, netns: netnsOf(a.node), mtu }),
      );
      ends.set(
        `${b.node}/${link.network}`,
        tunnelEnd(`${at}-${b.node}`, tb, { name: b.device, netns: netnsOf(b.node), mtu }),
      );
      continue;
    }
    const pair = new VethPair(
      at,
      {
        host: hostOfNode.get(a.node),
        name: a.device,
        netns: netnsOf(a.node),
        peerName: b.device,
        peerNetns: netnsOf(b.node),
      },
      optsOf(at),
    );
    ends.set(`${a.node}/${link.network}`, pair.name);
    ends.set(`${b.node}/${link.network}`, pair.peerName);
  }

  for (const node of plan.nodes) {
    // The device a route leaves by, from the address on it: the gateway is on a connected network by then.
    const addressed = new Map<string, pulumi.Output<string>>();
    for (const iface of node.interfaces) {
      for (const address of iface.addresses) {
        const family = familyOf(address);
        const at = `${name}-${node.name}-${iface.name}-v${family}`;
        const made = new IpAddress(
          at,
          {
            host: hostOfNode.get(node.name),
            address,
            device: ends.get(`${node.name}/${iface.network}`) as pulumi.Output<string>,
            netns: netnsOf(node.name),
            // A lab's addresses are its own: usable at once, not tentative for DAD's second or two.
            nodad: family === 6 ? true : undefined,
          },
          optsOf(at),
        );
        keep(`address:${node.name}:${iface.name}:${family}`, made);
        addressed.set(`${iface.name}/${family}`, made.device);
        done.push(made.address);
      }
    }
    for (const route of node.routes) {
      const at = `${name}-${node.name}-${route.key}`;
      const made = new Route(
        at,
        {
          host: hostOfNode.get(node.name),
          destination: route.destination,
          via: route.via,
          device: addressed.get(`${route.device}/${familyOf(route.via)}`) ?? route.device,
          netns: netnsOf(node.name),
        },
        optsOf(at),
      );
      keep(`route:${node.name}:${route.key}`, made);
      done.push(made.destination);
    }
  }
  // The same names in every node's own hosts file (the root namespace's /etc/hosts is the machine's: left alone).
  if (plan.hosts.length > 0) {
    for (const node of plan.nodes) {
      const netns = netnsOf(node.name);
      if (netns === undefined) continue;
      const at = `${name}-${node.name}-hosts`;
      done.push(new HostsFile(at, { host: hostOfNode.get(node.name), netns, entries: plan.hosts }, optsOf(at)).path);
    }
  }
  const nodes = pulumi.all(done).apply(() => Object.fromEntries(plan.nodes.map((n) => [n.name, n])));

  // Each check comes after what is on its way (and not after all of the lab: a hundred checks
  // depending on every resource would be a hundred lists of every resource, in the state and on
  // the wire), so that `up` checks the repaired way.
  const checks = plan.checks.map((check) => {
    const at = `${name}-${check.key}`;
    const dependsOn = check.needs.flatMap((key) => byKey.get(key) ?? []);
    const probe = new Reachability(
      at,
      { host: hostOfNode.get(check.from), address: check.address, netns: netnsOf(check.from) },
      { ...optsOf(at), dependsOn },
    );
    return probe.rtt.apply((rtt) => ({ from: check.from, to: check.to, address: check.address, rtt }));
  });
  return { nodes, checks: pulumi.all(checks) };
}

/** What {@link makeTopology} gives back: the nodes, and the checks' results. */
export interface MadeTopology {
  /** Each node by name; resolves once every resource is in place. */
  nodes: pulumi.Output<Record<string, PlannedNode>>;
  /** Each check's pair, the address probed and the round trip in milliseconds; resolves once all hold. */
  checks: pulumi.Output<CheckResult[]>;
}

export interface CheckResult {
  from: string;
  to: string;
  address: string;
  rtt: number | undefined;
}
