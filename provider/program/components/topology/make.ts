/**
 * Makes the resources of a planned topology: a few per node and one per link, never one per
 * object or per pair. Each node gets its namespace, one NetnsConfig (its addresses, routes and
 * forwarding, in one `ip -batch`), its hosts file, and one ReachabilitySet for the checks that
 * start there; each network its interfaces (veth pairs, or tunnel ends across machines). Every
 * resource is named `NAME-…` and takes the options `optsOf` gives for its name (its parent, and
 * for StarLab the aliases of its former names).
 *
 * The engine charges every resource a toll of its own (about 20 ms of CPU, and with the file
 * backend a rewrite of the whole state after each step), so the count is what sets a lab's pace:
 * containerlab's clos02 was 753 resources when each address, route and check was one, and is 58
 * now. The names of the namespaces and links are those 0.3.0 gave them, so an upgrade keeps them;
 * the per-object resources it made go, handing their objects to the NetnsConfig (handover.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { familyOf } from "../../../commands/address.js";
import type { HostInput } from "../../../commands/host.js";
import { Bridge } from "../../bridge.js";
import { HostsFile } from "../../hosts-file.js";
import { NetNamespace } from "../../net-namespace.js";
import { NetnsConfig } from "../../netns-config.js";
import { NetnsExec } from "../../netns-exec.js";
import { Qdisc } from "../../qdisc.js";
import { ReachabilitySet } from "../../reachability-set.js";
import { Sysctl } from "../../sysctl.js";
import { VethPair } from "../../veth-pair.js";
import { Vxlan } from "../../vxlan.js";
import { FORWARDING, familiesOf } from "./forwarding.js";
import type { PlannedCheck, PlannedLink, PlannedNode, PlannedTunnel, TopologyPlan } from "./spec.js";

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
  maker.configs();
  maker.hostsFiles();
  maker.execs();
  const nodes = pulumi.all(maker.done).apply(() => Object.fromEntries(plan.nodes.map((n) => [n.name, n])));
  return { nodes, checks: maker.checks() };
}

/** What the parts of a topology need of each other while they are made. */
class Maker {
  /** What the nodes' output waits for. */
  readonly done: pulumi.Output<string>[] = [];
  /** What checks can come after, by the keys of the plan's `needs` (checks.ts): namespaces, the machine's forwarding. */
  private readonly byKey = new Map<string, pulumi.Resource>();
  /** Each node's NetnsConfig: its addresses, routes and forwarding. */
  private readonly configOf = new Map<string, NetnsConfig>();
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

  /** Each node's namespace; a router's forwarding, where it is the root namespace (elsewhere its NetnsConfig's). */
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
      // The machine's own forwarding is a Sysctl, which puts back the machine's value when it goes.
      if (!node.router || netns !== undefined) continue;
      for (const family of familiesOf(node)) {
        const forwarding = `${at}-ipv${family}-forwarding`;
        const sysctl = new Sysctl(
          forwarding,
          { host: this.hostOfNode.get(node.name), key: FORWARDING[family], value: "1" },
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
            this.tunnelEnd(child, own, { name: member.device, netns, mtu: segment.mtu }),
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
            name: member.device,
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
      const at = `${this.name}-${link.key}`;
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
    for (const link of this.plan.links) this.shape(link);
  }

  /** A shaped link's Qdiscs: one on each end it shapes, `<link>-<node>-shaping`, on that end's interface. */
  private shape(link: PlannedLink): void {
    link.ends.forEach((end, j) => {
      const shaping = link.shaping?.[j];
      if (shaping === undefined || shaping === null) return;
      const at = `${this.name}-${link.key}-${end.node}-shaping`;
      const qdisc = new Qdisc(
        at,
        {
          host: this.hostOfNode.get(end.node),
          device: this.ends.get(`${end.node}/${link.network}`) as pulumi.Output<string>,
          netns: this.netnsOf(end.node),
          ...shaping,
        },
        this.optsOf(at),
      );
      this.done.push(qdisc.id);
    });
  }

  /** Each node's addresses, routes and (in its own namespace) forwarding: one NetnsConfig. */
  configs(): void {
    for (const node of this.plan.nodes) {
      const netns = this.netnsOf(node.name);
      const addresses: Record<string, pulumi.Output<string>> = {};
      for (const iface of node.interfaces) {
        // The device is the link's output: the addresses go on once it is there.
        const device = this.ends.get(`${node.name}/${iface.network}`) as pulumi.Output<string>;
        for (const address of iface.addresses) addresses[address] = device;
      }
      const routes = Object.fromEntries(
        node.routes.map((route) => [
          route.destination === "default" && familyOf(route.via) === 6 ? "::/0" : route.destination,
          { via: route.via, device: route.device },
        ]),
      );
      const sysctls =
        node.router && netns !== undefined
          ? Object.fromEntries(familiesOf(node).map((family) => [FORWARDING[family], "1"]))
          : {};
      if (Object.keys(addresses).length + node.routes.length + Object.keys(sysctls).length === 0) continue;
      const at = `${this.name}-${node.name}-config`;
      const config = new NetnsConfig(
        at,
        {
          host: this.hostOfNode.get(node.name),
          netns,
          addresses,
          routes,
          sysctls,
          // A lab's addresses are its own: usable at once, not tentative for DAD's second or two.
          nodad: Object.keys(addresses).some((a) => familyOf(a) === 6) ? true : undefined,
        },
        this.optsOf(at),
      );
      this.configOf.set(node.name, config);
      this.done.push(config.id);
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

  /** Each node's startup commands: one NetnsExec, once its interfaces, addresses and routes are in place. */
  execs(): void {
    for (const node of this.plan.nodes) {
      const netns = this.netnsOf(node.name);
      if (node.exec === undefined || netns === undefined) continue;
      const at = `${this.name}-${node.name}-exec`;
      // Its interfaces are the links' outputs: the commands wait for them, and for its NetnsConfig.
      const ends = node.interfaces.map((iface) => this.ends.get(`${node.name}/${iface.network}`));
      const config = this.configOf.get(node.name);
      const exec = new NetnsExec(
        at,
        {
          host: this.hostOfNode.get(node.name),
          netns,
          commands: pulumi.all(ends).apply(() => node.exec as string[][]),
        },
        { ...this.optsOf(at), dependsOn: config === undefined ? [] : [config] },
      );
      this.done.push(exec.id);
    }
  }

  /** The checks' results: one ReachabilitySet per node the checks start from, made after what is on their way. */
  checks(): pulumi.Output<CheckResult[]> {
    const bySource = new Map<string, PlannedCheck[]>();
    for (const check of this.plan.checks) bySource.set(check.from, [...(bySource.get(check.from) ?? []), check]);
    const results = [...bySource].map(([from, checks]) => {
      const at = `${this.name}-${from}-checks`;
      // After what is on the way of its checks only (the routes taken, the gateways, the routers'
      // forwarding: each a node's NetnsConfig), so that `up` checks the repaired way.
      const dependsOn = [...new Set(checks.flatMap((check) => check.needs.flatMap((key) => this.madeFor(key))))];
      const set = new ReachabilitySet(
        at,
        {
          host: this.hostOfNode.get(from),
          netns: this.netnsOf(from),
          destinations: Object.fromEntries(checks.map((check) => [destinationOf(check), check.address])),
        },
        { ...this.optsOf(at), dependsOn },
      );
      return set.rtts.apply((rtts) =>
        checks.map((check) => ({ from, to: check.to, address: check.address, rtt: rtts?.[destinationOf(check)] })),
      );
    });
    return pulumi.all(results).apply((each) => each.flat());
  }

  /** The resource that makes what a check's key (checks.ts) names: a namespace, or a node's NetnsConfig. */
  private madeFor(key: string): pulumi.Resource[] {
    const made = this.byKey.get(key);
    if (made !== undefined) return [made];
    const node = key.split(":")[1] as string;
    const config = this.configOf.get(node);
    return config === undefined ? [] : [config];
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

/** A check's destination in its ReachabilitySet: the node and the family (`r2-v4`). */
function destinationOf(check: PlannedCheck): string {
  return `${check.to}-v${familyOf(check.address)}`;
}
