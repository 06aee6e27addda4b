/**
 * Topology: any shape of lab, declared as data. Nodes are namespaces (a router forwards);
 * point-to-point links are veth pairs; a segment is a bridge in a namespace of its own with a port
 * per member. Addresses and routes are planned by topology-plan.ts, which names its rules.
 */
import * as pulumi from "@pulumi/pulumi";
import { familyOf } from "../../iproute/address.js";
import { Bridge } from "../bridge.js";
import { IpAddress } from "../ip-address.js";
import { NetNamespace } from "../net-namespace.js";
import { Route } from "../route.js";
import { Sysctl } from "../sysctl.js";
import { VethPair } from "../veth-pair.js";
import { type PlannedNode, planTopology, type TopologySpec, topologyMermaid } from "./topology-plan.js";

export type TopologyArgs = TopologySpec;

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
  /** The topology as a Mermaid flowchart, for a README or a stack output. */
  readonly mermaid: pulumi.Output<string>;

  constructor(name: string, args: TopologyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulumi-netns:index:Topology", name, {}, opts);
    const plan = planTopology(args);
    const child = { parent: this };
    const done: pulumi.Output<string>[] = [];

    const namespaces = new Map<string, NetNamespace>();
    for (const node of plan.nodes) {
      const ns = new NetNamespace(`${name}-${node.name}`, { name: node.netns }, child);
      namespaces.set(node.name, ns);
      if (!node.router) continue;
      const families = new Set(node.interfaces.flatMap((i) => i.addresses.map(familyOf)));
      for (const family of [4, 6] as const) {
        if (!families.has(family)) continue;
        const forwarding = new Sysctl(
          `${name}-${node.name}-ipv${family}-forwarding`,
          { key: FORWARDING[family], value: "1", netns: ns.name },
          child,
        );
        done.push(forwarding.value);
      }
    }
    const netnsOf = (node: string) => (namespaces.get(node) as NetNamespace).name;

    // Each node's end of each network, by `node/network`: its interface, made by a veth pair.
    const ends = new Map<string, pulumi.Output<string>>();
    for (const segment of plan.segments) {
      const ns = new NetNamespace(`${name}-${segment.name}`, { name: segment.netns }, child);
      const bridge = new Bridge(`${name}-${segment.name}-bridge`, { name: segment.bridge, netns: ns.name }, child);
      for (const member of segment.members) {
        const pair = new VethPair(
          `${name}-${segment.name}-${member.node}`,
          {
            name: segment.name,
            netns: netnsOf(member.node),
            peerName: member.port,
            peerNetns: ns.name,
            peerMaster: bridge.name,
          },
          child,
        );
        ends.set(`${member.node}/${segment.name}`, pair.name);
      }
    }
    for (const link of plan.links) {
      const [a, b] = link.ends;
      const pair = new VethPair(
        `${name}-${a.node}-${b.node}`,
        { name: a.device, netns: netnsOf(a.node), peerName: b.device, peerNetns: netnsOf(b.node) },
        child,
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
          const made = new IpAddress(
            `${name}-${node.name}-${iface.name}-v${family}`,
            {
              address,
              device: ends.get(`${node.name}/${iface.network}`) as pulumi.Output<string>,
              netns: netnsOf(node.name),
              // A lab's addresses are its own: usable at once, not tentative for DAD's second or two.
              nodad: family === 6 ? true : undefined,
            },
            child,
          );
          addressed.set(`${iface.name}/${family}`, made.device);
          done.push(made.address);
        }
      }
      for (const route of node.routes) {
        const made = new Route(
          `${name}-${node.name}-${route.key}`,
          {
            destination: route.destination,
            via: route.via,
            device: addressed.get(`${route.device}/${familyOf(route.via)}`) ?? route.device,
            netns: netnsOf(node.name),
          },
          child,
        );
        done.push(made.destination);
      }
    }

    this.nodes = pulumi.all(done).apply(() => Object.fromEntries(plan.nodes.map((n) => [n.name, n])));
    this.mermaid = pulumi.output(topologyMermaid(plan));
    this.registerOutputs({ nodes: this.nodes, mermaid: this.mermaid });
  }
}
