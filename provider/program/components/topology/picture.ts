/** The topology as a picture: a Mermaid flowchart, or a Graphviz (DOT) graph. */

import type { LinkShaping, TopologyPlan } from "./spec.js";

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
    const [a, b] = link.ends.map((end, j) => {
      const iface = addressesOf(end.node, link.network);
      return [iface?.name, ...(iface?.addresses ?? []), ...shapingWords(link.shaping?.[j])].join(" ");
    });
    lines.push(`  ${id.get(link.ends[0].node)} ---|"${a} — ${b}"| ${id.get(link.ends[1].node)}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The topology as a Graphviz graph (DOT): routers as hexagons, hosts as boxes, segments as
 * ellipses with their subnets, each machine's part in a cluster of its own. Every link and port is
 * an edge of its own, so parallel links are drawn as such, each end labelled with its interface and
 * addresses. Render it with `dot -Tsvg`.
 */
export function topologyDot(plan: TopologyPlan): string {
  const id = new Map(plan.nodes.map((node, i) => [node.name, `n${i}`]));
  const lines = ["graph topology {", "  rankdir=LR;"];
  const machines = [...new Set([...plan.nodes, ...plan.segments].flatMap((x) => x.machine ?? []))];
  const boxes = machines.length > 0 ? machines : [undefined];
  boxes.forEach((machine, m) => {
    const indent = machine === undefined ? "  " : "    ";
    if (machine !== undefined) lines.push(`  subgraph cluster_m${m} {`, `    label=${dotString(machine)};`);
    plan.nodes.forEach((node, i) => {
      if (node.machine !== machine) return;
      const [label, shape] = node.router ? [`${node.name} (router)`, "hexagon"] : [node.name, "box"];
      lines.push(`${indent}n${i} [label=${dotString(label)}, shape=${shape}];`);
    });
    plan.segments.forEach((segment, i) => {
      if (segment.machine !== machine) return;
      lines.push(`${indent}s${i} [label=${dotString([segment.name, ...segment.subnets].join("\n"))}, shape=ellipse];`);
    });
    if (machine !== undefined) lines.push("  }");
  });
  const end = (node: string, network: string, shaping?: LinkShaping | null) => {
    const iface = plan.nodes.find((n) => n.name === node)?.interfaces.find((i) => i.network === network);
    return dotString([iface?.name, ...(iface?.addresses ?? []), ...shapingWords(shaping)].join("\n"));
  };
  plan.segments.forEach((segment, i) => {
    for (const { node } of segment.members)
      lines.push(`  ${id.get(node)} -- s${i} [taillabel=${end(node, segment.name)}];`);
  });
  for (const link of plan.links) {
    const [a, b] = link.ends;
    lines.push(
      `  ${id.get(a.node)} -- ${id.get(b.node)} [taillabel=${end(a.node, link.network, link.shaping?.[0])}, headlabel=${end(b.node, link.network, link.shaping?.[1])}];`,
    );
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** A DOT string: in double quotes, with `"` and `\` escaped (a `\n` put in on purpose stays a line break). */
function dotString(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`).replaceAll("\n", "\\n")}"`;
}

/** A link end's shaping, as words for its label: `rate 10mbit`, `delay 20ms`. */
function shapingWords(shaping: LinkShaping | null | undefined): string[] {
  return Object.entries(shaping ?? {}).flatMap(([key, value]) => (value === undefined ? [] : [`${key} ${value}`]));
}
