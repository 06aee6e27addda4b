/**
 * Makes the resources of a planned topology, by what they are: each node's namespace and
 * forwarding, each network's interfaces (veth pairs, or tunnel ends across machines), each node's
 * addresses and routes, its hosts file, and the checks. Every resource is named `NAME-…` and takes
 * the options `optsOf` gives for its name (its parent, and for StarLab the aliases of its former
 * names).
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
import type { PlannedNode, PlannedTunnel, TopologyPlan } from "./spec.js";

/** How the resources of a machine of the plan are reached: its `host` (undefined: this machine). */
export type HostOf = (machine: string | undefined) => pulumi.Input<HostInput> | undefined;

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

/** Each family's forwarding switch, in a router's namespace. */
const FORWARDING = { 4: "net.ipv4.ip_forward", 6: "net.ipv6.conf.all.forwarding" } as const;

/** Makes the resources of `plan`; returns the nodes, resolving once every resource is in place. */
export function makeTopology(
  name: string,
  plan: TopologyPlan,
  optsOf: (child: string) => pulumi.CustomResourceOptions,
  hostOf: HostOf = () => undefined,
): MadeTopology {
  const maker = new Maker(name, plan, optsOf, hostOf);
  maker.namespaces();
  maker.segments();
  maker.links();
  maker.addressesAndRoutes();
  maker.hostsFiles();
  const nodes = pulumi.all(maker.done).apply(() => Object.fromEntries(plan.nodes.map((n) => [n.name, n])));
  return { nodes, checks: maker.checks() };
}

/** What the parts of a topology need of each other while they are made. */
class Maker {
  /** What the nodes' output waits for. */
  readonly done: pulumi.Output<string>[] = [];
  /** What checks can come after, by the keys of the plan's `needs` (checks.ts). */
  private readonly byKey = new Map<string, pulumi.Resource>();
  /** Each node's namespace, made here; undefined for a node that is the root namespace. */
  private readonly netns = new Map<string, pulumi.Output<string> | undefined>();
  /** Each node's end of each network, by `node/network`: its interface, made by a veth pair or a tunnel. */
  private readonly ends = new Map<string, pulumi.Output<string>>();
  private readonly hostOfNode: Map<string, pulumi.Input<HostInput> | undefined>;

  constructor(
    private readonly name: string,
    private readonly plan: TopologyPlan,
    private readonly optsOf: (child: string) => pulumi.CustomResourceOptions,
    private readonly hostOf: HostOf,
  ) {
    this.hostOfNode = new Map(plan.nodes.map((node) => [node.name, hostOf(node.machine)]));
  }

  private keep<R extends pulumi.Resource>(key: string, resource: R): R {
    this.byKey.set(key, resource);
    return resource;
  }

  private netnsOf(node: string): pulumi.Output<string> | undefined {
    return this.netns.get(node);
  }

  /** Each node's namespace, and a router's forwarding for each family it has. */
  namespaces(): void {
    for (const node of this.plan.nodes) {
      const at = `${this.name}-${node.name}`;
      const netns =
        node.netns === undefined
          ? undefined
          : this.keep(
              `netns:${node.name}`,
              new NetNamespace(at, { host: this.hostOfNode.get(node.name), name: node.netns }, this.optsOf(at)),
            ).name;
      this.netns.set(node.name, netns);
      if (!node.router) continue;
      const families = new Set(node.interfaces.flatMap((i) => i.addresses.map(familyOf)));
      for (const family of [4, 6] as const) {
        if (!families.has(family)) continue;
        const forwarding = `${at}-ipv${family}-forwarding`;
        const sysctl = new Sysctl(
          forwarding,
          { host: this.hostOfNode.get(node.name), key: FORWARDING[family], value: "1", netns },
          this.optsOf(forwarding),
        );
        this.done.push(this.keep(`forwarding:${node.name}:${family}`, sysctl).value);
      }
    }
  }

  /** Each segment: a bridge in a namespace of its own, and each member's interface and port. */
  segments(): void {
    for (const segment of this.plan.segments) {
      const at = `${this.name}-${segment.name}`;
      const host = this.hostOf(segment.machine);
      const ns = new NetNamespace(at, { host, name: segment.netns }, this.optsOf(at)).name;
      const bridge = new Bridge(`${at}-bridge`, { host, name: segment.bridge, netns: ns }, this.optsOf(`${at}-bridge`));
      for (const member of segment.members) {
        const child = `${at}-${member.node}`;
        if (member.tunnel !== undefined) {
          // A member on another machine: its interface and its port are the two ends of a tunnel.
          const [own, port] = member.tunnel;
          const netns = this.netnsOf(member.node);
          this.ends.set(
            `${member.node}/${segment.name}`,
            this.tunnelEnd(child, own, { name: segment.name, netns, mtu: segment.mtu }),
          );
          this.tunnelEnd(`${child}-port`, port, {
            name: member.port,
            netns: ns,
            master: bridge.name,
            mtu: segment.mtu,
          });
          continue;
        }
        const pair = new VethPair(
          child,
          {
            host,
            name: segment.name,
            netns: this.netnsOf(member.node),
            peerName: member.port,
            peerNetns: ns,
            peerMaster: bridge.name,
            mtu: segment.mtu,
          },
          this.optsOf(child),
        );
        this.ends.set(`${member.node}/${segment.name}`, pair.name);
      }
    }
  }

  /** Each point-to-point link: a veth pair, or two tunnel ends where its nodes are on two machines. */
  links(): void {
    for (const link of this.plan.links) {
      const [a, b] = link.ends;
      const at = `${this.name}-${a.node}-${b.node}`;
      if (link.tunnel !== undefined) {
        const [ta, tb] = link.tunnel;
        const mtu = link.mtu;
        this.ends.set(
          `${a.node}/${link.network}`,
          this.tunnelEnd(`${at}-${a.node}`, ta, { name: a.device, netns: this.netnsOf(a.node), mtu }),
        );
        this.ends.set(
          `${b.node}/${link.network}`,
          this.tunnelEnd(`${at}-${b.node}`, tb, { name: b.device, netns: this.netnsOf(b.node), mtu }),
        );
        continue;
      }
      const pair = new VethPair(
        at,
        {
          host: this.hostOfNode.get(a.node),
          name: a.device,
          netns: this.netnsOf(a.node),
          peerName: b.device,
          peerNetns: this.netnsOf(b.node),
        },
        this.optsOf(at),
      );
      this.ends.set(`${a.node}/${link.network}`, pair.name);
      this.ends.set(`${b.node}/${link.network}`, pair.peerName);
    }
  }

  /** Each node's addresses, then its routes, each leaving by the device its gateway's address is on. */
  addressesAndRoutes(): void {
    for (const node of this.plan.nodes) {
      // The device a route leaves by, from the address on it: the gateway is on a connected network by then.
      const addressed = new Map<string, pulumi.Output<string>>();
      for (const iface of node.interfaces) {
        for (const address of iface.addresses) {
          const family = familyOf(address);
          const at = `${this.name}-${node.name}-${iface.name}-v${family}`;
          const made = new IpAddress(
            at,
            {
              host: this.hostOfNode.get(node.name),
              address,
              device: this.ends.get(`${node.name}/${iface.network}`) as pulumi.Output<string>,
              netns: this.netnsOf(node.name),
              // A lab's addresses are its own: usable at once, not tentative for DAD's second or two.
              nodad: family === 6 ? true : undefined,
            },
            this.optsOf(at),
          );
          this.keep(`address:${node.name}:${iface.name}:${family}`, made);
          addressed.set(`${iface.name}/${family}`, made.device);
          this.done.push(made.address);
        }
      }
      for (const route of node.routes) {
        const at = `${this.name}-${node.name}-${route.key}`;
        const made = new Route(
          at,
          {
            host: this.hostOfNode.get(node.name),
            destination: route.destination,
            via: route.via,
            device: addressed.get(`${route.device}/${familyOf(route.via)}`) ?? route.device,
            netns: this.netnsOf(node.name),
          },
          this.optsOf(at),
        );
        this.keep(`route:${node.name}:${route.key}`, made);
        this.done.push(made.destination);
      }
    }
  }

  /** Every name in every node's own hosts file, when the plan has them. */
  hostsFiles(): void {
    // The same names in every node's own hosts file (the root namespace's /etc/hosts is the machine's: left alone).
    if (this.plan.hosts.length > 0) {
      for (const node of this.plan.nodes) {
        const netns = this.netnsOf(node.name);
        if (netns === undefined) continue;
        const at = `${this.name}-${node.name}-hosts`;
        this.done.push(
          new HostsFile(at, { host: this.hostOfNode.get(node.name), netns, entries: this.plan.hosts }, this.optsOf(at))
            .path,
        );
      }
    }
  }

  /** The checks' results, each check made after what is on its way. */
  checks(): pulumi.Output<CheckResult[]> {
    // Each check comes after what is on its way (and not after all of the lab: a hundred checks
    // depending on every resource would be a hundred lists of every resource, in the state and on
    // the wire), so that `up` checks the repaired way.
    const checks = this.plan.checks.map((check) => {
      const at = `${this.name}-${check.key}`;
      const dependsOn = check.needs.flatMap((key) => this.byKey.get(key) ?? []);
      const probe = new Reachability(
        at,
        { host: this.hostOfNode.get(check.from), address: check.address, netns: this.netnsOf(check.from) },
        { ...this.optsOf(at), dependsOn },
      );
      return probe.rtt.apply((rtt) => ({ from: check.from, to: check.to, address: check.address, rtt }));
    });
    return pulumi.all(checks);
  }

  /** One end of a tunnel, as a Vxlan on its machine (see plan.ts, PlannedTunnel). */
  private tunnelEnd(
    at: string,
    end: PlannedTunnel,
    link: {
      name: string;
      netns?: pulumi.Input<string> | undefined;
      master?: pulumi.Input<string>;
      mtu: number | undefined;
    },
  ): pulumi.Output<string> {
    return new Vxlan(
      at,
      {
        host: this.hostOf(end.machine),
        vni: end.vni,
        local: end.local,
        remote: end.remote,
        device: end.device,
        // The machine's own network: the tunnel's socket is in its root namespace, the link in the node's.
        underlayNetns: link.netns === undefined ? undefined : null,
        ...link,
      },
      this.optsOf(at),
    ).name;
  }
}
