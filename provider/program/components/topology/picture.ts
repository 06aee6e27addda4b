/** The topology as a picture: a Mermaid flowchart. */

import type { TopologyPlan } from "./spec.js";

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
