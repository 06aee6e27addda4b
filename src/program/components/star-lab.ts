/**
 * StarLab: N spoke namespaces routed through one hub (the host, or a router namespace), built from
 * a small spec. The origin lab is a star of two spokes.
 */
import * as pulumi from "@pulumi/pulumi";
import { nthAddress } from "../../iproute/address.js";
import { IpAddress } from "../ip-address.js";
import { NetNamespace } from "../net-namespace.js";
import { Route } from "../route.js";
import { Sysctl } from "../sysctl.js";
import { VethPair } from "../veth-pair.js";

export interface StarSpoke {
  /** The spoke's namespace name (before the prefix). */
  name: string;
  /** The link's subnet, like `10.1.10.0/24`: the hub end takes its first address, the spoke end its second. */
  subnet: string;
  /** The hub end's interface name (before the prefix). @default `h<index>` */
  hubDevice?: string;
  /** The spoke end's interface name (before the prefix). @default `s<index>` */
  spokeDevice?: string;
}

export interface StarLabArgs {
  /** The spokes, in order. */
  spokes: StarSpoke[];
  /**
   * The hub's namespace, created by the component. Absent: the hub is the root namespace, as in the
   * origin lab.
   */
  hubNetns?: string | undefined;
  /** Put before every namespace and interface name the component makes, so stacks can coexist. @default "" */
  prefix?: string | undefined;
  /**
   * What each spoke routes through the hub: `default`, or a prefix covering the other spokes.
   * @default "default"
   */
  routeTo?: string | undefined;
}

/** One spoke as built: its names and addresses. */
export interface BuiltSpoke {
  netns: string;
  hubDevice: string;
  spokeDevice: string;
  hubAddress: string;
  spokeAddress: string;
}

/**
 * A star of network namespaces: each spoke joined to the hub by a veth pair on its own subnet, with
 * a route through the hub, and IPv4 forwarding on in the hub.
 */
export class StarLab extends pulumi.ComponentResource {
  /** The hub's namespace name, or undefined for the root namespace. */
  readonly hubNetns: pulumi.Output<string | undefined>;
  /** Each spoke's names and addresses, in the order of the spec. */
  readonly spokes: pulumi.Output<BuiltSpoke[]>;
  /** The topology as a Mermaid flowchart, for a README or a stack output. */
  readonly mermaid: pulumi.Output<string>;

  constructor(name: string, args: StarLabArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulumi-netns:index:StarLab", name, {}, opts);
    const prefix = args.prefix ?? "";
    const child = { parent: this };

    const hub =
      args.hubNetns === undefined ? undefined : new NetNamespace(`${name}-hub`, { name: args.hubNetns }, child);
    const hubNetns = hub?.name;
    const forwarding = new Sysctl(
      `${name}-forwarding`,
      { key: "net.ipv4.ip_forward", value: "1", netns: hubNetns },
      child,
    );

    const built = args.spokes.map((spoke, index) => {
      const plan: BuiltSpoke = {
        netns: `${prefix}${spoke.name}`,
        hubDevice: `${prefix}${spoke.hubDevice ?? `h${index}`}`,
        spokeDevice: `${prefix}${spoke.spokeDevice ?? `s${index}`}`,
        hubAddress: nthAddress(spoke.subnet, 1),
        spokeAddress: nthAddress(spoke.subnet, 2),
      };
      const ns = new NetNamespace(`${name}-${spoke.name}`, { name: plan.netns }, child);
      const pair = new VethPair(
        `${name}-${spoke.name}-link`,
        { name: plan.hubDevice, netns: hubNetns, peerName: plan.spokeDevice, peerNetns: ns.name },
        child,
      );
      new IpAddress(
        `${name}-${spoke.name}-hub-address`,
        { address: plan.hubAddress, device: pair.name, netns: hubNetns },
        child,
      );
      const spokeAddress = new IpAddress(
        `${name}-${spoke.name}-address`,
        { address: plan.spokeAddress, device: pair.peerName, netns: ns.name },
        child,
      );
      // Device and namespace come from the spoke's address: the gateway is connected by then.
      const route = new Route(
        `${name}-${spoke.name}-route`,
        {
          destination: args.routeTo ?? "default",
          via: plan.hubAddress.split("/")[0] as string,
          device: spokeAddress.device,
          netns: ns.name,
        },
        child,
      );
      return { plan, route };
    });

    this.hubNetns = pulumi.output(hubNetns);
    // Resolves once every spoke is routed and forwarding is on: ready for traffic.
    this.spokes = pulumi.all([forwarding.id, ...built.map((b) => b.route.id)]).apply(() => built.map((b) => b.plan));
    this.mermaid = pulumi.output(
      starMermaid(
        args.hubNetns,
        built.map((b) => b.plan),
      ),
    );
    this.registerOutputs({ hubNetns: this.hubNetns, spokes: this.spokes, mermaid: this.mermaid });
  }
}

/** The star as a Mermaid flowchart: the hub in the middle, a link per spoke labelled with its addresses. */
export function starMermaid(hubNetns: string | undefined, spokes: BuiltSpoke[]): string {
  const hubLabel = hubNetns === undefined ? "host (root namespace)" : `hub: ${hubNetns}`;
  const lines = ["flowchart LR", `  hub["${hubLabel}<br/>net.ipv4.ip_forward=1"]`];
  spokes.forEach((s, i) => {
    lines.push(`  s${i}["${s.netns}"]`);
    lines.push(`  hub ---|"${s.hubDevice} ${s.hubAddress} — ${s.spokeDevice} ${s.spokeAddress}"| s${i}`);
  });
  return `${lines.join("\n")}\n`;
}
