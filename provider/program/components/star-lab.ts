/**
 * StarLab: N spoke namespaces routed through one hub (the host, or a router namespace), built from
 * a small spec. The origin lab is a star of two spokes.
 */
import * as pulumi from "@pulumi/pulumi";
import { nthAddress } from "../../commands/address.js";
import type { HostInput } from "../../commands/host.js";
import { componentType } from "../../registry.js";
import { planTopology } from "./topology/plan.js";
import { type CheckResult, makeTopology } from "./topology/topology.js";

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
  /**
   * Reachability checks, by node name (`hub` and the spokes' names): `all-pairs`, or the pairs
   * `[from, to]`, like `[["left", "hub"], ["left", "right"]]`. @default none
   */
  checks?: "all-pairs" | Array<[string, string]> | undefined;
  /** The machine the whole star is on, as every resource's `host` takes it. @default this machine */
  host?: pulumi.Input<HostInput> | undefined;
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
 * a route through the hub, and IPv4 forwarding on in the hub. A Topology of one router and its spokes.
 */
export class StarLab extends pulumi.ComponentResource {
  /** The hub's namespace name, or undefined for the root namespace. */
  readonly hubNetns: pulumi.Output<string | undefined>;
  /** Each spoke's names and addresses, in the order of the spec. */
  readonly spokes: pulumi.Output<BuiltSpoke[]>;
  /** The results of the declared `checks` (none by default). */
  readonly checks: pulumi.Output<CheckResult[]>;
  /** The topology as a Mermaid flowchart, for a README or a stack output. */
  readonly mermaid: pulumi.Output<string>;

  constructor(name: string, args: StarLabArgs, opts?: pulumi.ComponentResourceOptions) {
    super(componentType("StarLab"), name, {}, opts);
    const prefix = args.prefix ?? "";
    const built = args.spokes.map((spoke, index) => ({
      spoke,
      plan: {
        netns: `${prefix}${spoke.name}`,
        hubDevice: `${prefix}${spoke.hubDevice ?? `h${index}`}`,
        spokeDevice: `${prefix}${spoke.spokeDevice ?? `s${index}`}`,
        hubAddress: nthAddress(spoke.subnet, 1),
        spokeAddress: nthAddress(spoke.subnet, 2),
      } satisfies BuiltSpoke,
    }));

    // What StarLab's children were called when it made them itself (0.1), by what a Topology calls
    // them: aliases keep a running star's links and the machine's forwarding when the package is
    // upgraded under it. (Its addresses and routes are each node's NetnsConfig's now, handed over.)
    const formerly = new Map<string, string>([[`${name}-hub-ipv4-forwarding`, `${name}-forwarding`]]);
    for (const { spoke } of built) formerly.set(`${name}-hub-${spoke.name}`, `${name}-${spoke.name}-link`);
    const plan = planTopology({
      nodes: [
        {
          name: "hub",
          router: true,
          number: 1,
          ...(args.hubNetns === undefined ? { root: true } : { netns: args.hubNetns }),
        },
        ...built.map(({ spoke, plan: names }) => ({
          name: spoke.name,
          netns: names.netns,
          number: 2,
          // Given, not computed: a star of one spoke still routes `routeTo` through the hub.
          routes: [{ destination: args.routeTo ?? "default", via: names.hubAddress.split("/")[0] as string }],
        })),
      ],
      checks: args.checks,
      links: built.map(({ spoke, plan: names }) => ({
        between: ["hub", spoke.name] as [string, string],
        ...(spoke.subnet.includes(":") ? { subnet6: spoke.subnet } : { subnet: spoke.subnet }),
        devices: [names.hubDevice, names.spokeDevice] as [string, string],
      })),
    });
    const { nodes, checks } = makeTopology(
      name,
      plan,
      (child) => {
        const old = formerly.get(child);
        return old === undefined ? { parent: this } : { parent: this, aliases: [{ name: old }] };
      },
      () => args.host,
    );

    // Both resolve once every spoke is routed and forwarding is on: ready for traffic.
    this.hubNetns = nodes.apply(() => args.hubNetns);
    this.spokes = nodes.apply(() => built.map((b) => b.plan));
    this.checks = checks;
    this.mermaid = pulumi.output(
      starMermaid(
        args.hubNetns,
        built.map((b) => b.plan),
      ),
    );
    this.registerOutputs({ hubNetns: this.hubNetns, spokes: this.spokes, checks: this.checks, mermaid: this.mermaid });
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
