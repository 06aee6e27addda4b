/**
 * Topology: any shape of lab, declared as data. Nodes are namespaces (a router forwards);
 * point-to-point links are veth pairs; a segment is a bridge in a namespace of its own with a port
 * per member. Addresses and routes are planned by plan.ts, which names its rules.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HostInput } from "../../../commands/host.js";
import { componentType } from "../../../registry.js";
import { type CheckResult, type HostOf, makeTopology } from "./make.js";
import { topologyDot, topologyMermaid } from "./picture.js";
import { planTopology } from "./plan.js";
import { topologyScript } from "./script.js";
import type { PlannedNode, TopologyMachine, TopologySpec } from "./spec.js";

export type { CheckResult, HostOf, MadeTopology } from "./make.js";
export { makeTopology } from "./make.js";

export interface TopologyArgs extends Omit<TopologySpec, "machines"> {
  machines?: Record<string, TopologyMachine<pulumi.Input<HostInput>>> | undefined;
}

/**
 * A lab of any shape: nodes joined by links and segments, addressed from pools, with routes so that
 * every node reaches every other. Bad declarations are refused before anything is made, with every
 * problem named (plan.ts); the plan is then made into resources (make.ts).
 */
export class Topology extends pulumi.ComponentResource {
  /** Each node by name: its namespace, interfaces with their addresses, and routes. Resolves once all are in place. */
  readonly nodes: pulumi.Output<Record<string, PlannedNode>>;
  /** The results of the declared `checks` (none by default): each pair, the address probed, the round trip. */
  readonly checks: pulumi.Output<CheckResult[]>;
  /** The topology as a Mermaid flowchart, for a README or a stack output. */
  readonly mermaid: pulumi.Output<string>;
  /** The topology as a Graphviz graph (DOT): `pulumi stack output dot | dot -Tsvg > lab.svg`. */
  readonly dot: pulumi.Output<string>;
  /**
   * The lab as a shell script of plain `ip` commands, one per object: what this Topology makes,
   * then its checks, and how to take it away (script.ts).
   */
  readonly script: pulumi.Output<string>;

  constructor(name: string, args: TopologyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(componentType("Topology"), name, {}, opts);
    const plan = planTopology(args);
    const hostOf: HostOf = (machine) => (machine === undefined ? undefined : args.machines?.[machine]?.host);
    const made = makeTopology(name, plan, () => ({ parent: this }), hostOf);
    this.nodes = made.nodes;
    this.checks = made.checks;
    this.mermaid = pulumi.output(topologyMermaid(plan));
    this.dot = pulumi.output(topologyDot(plan));
    this.script = pulumi.output(topologyScript(plan));
    this.registerOutputs({
      nodes: this.nodes,
      checks: this.checks,
      mermaid: this.mermaid,
      dot: this.dot,
      script: this.script,
    });
  }
}
