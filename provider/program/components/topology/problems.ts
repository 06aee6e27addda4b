/** How a declaration's problems are found and told: all at once, each naming where it is declared. */

import { interfaceName } from "../../../commands/names.js";
import { isProblem } from "../../../rule.js";
import type { Network } from "./addressing.js";
import type { TopologyNode } from "./spec.js";

export function topologyError(problems: string[]): Error {
  return new Error(`the topology has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
}

/** A name that becomes an interface's: the kernel's rule, and not `lo`, which every namespace has. */
export function interfaceNamed(at: string, name: string, why: string, problems: string[]): void {
  const because = why === "" ? "" : ` (${why})`;
  const checked = interfaceName(name);
  if (isProblem(checked)) problems.push(`${at} "${name}" ${checked.problem}${because}`);
  else if (name === "lo") problems.push(`${at} "lo" is the loopback interface of every namespace${because}`);
}

/** No node may have two interfaces of one name (two links to one node, or declared devices that clash). */
export function checkDevices(nodes: TopologyNode[], networks: Network[], problems: string[]): void {
  const seen = new Map<string, string>();
  for (const network of networks) {
    for (const [node, device] of network.devices) {
      const key = `${node}\u0000${device}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        const i = nodes.findIndex((n) => n.name === node);
        problems.push(
          `nodes[${i}] "${node}" would have two interfaces named "${device}", on ${earlier} and ${network.at}`,
        );
      } else seen.set(key, network.at);
    }
  }
}

/**
 * No two networks may have one name, nor two links one resource name: a segment named like a
 * link (`a--b`), or a link whose count between two nodes reads like another pair (`a`–`b`, the
 * second, and `a`–`b-2`).
 */
export function checkNames(networks: Network[], problems: string[]): void {
  for (const [what, nameOf] of [
    ["network", (n: Network) => n.id],
    ["resource name", (n: Network) => n.key],
  ] as const) {
    const seen = new Map<string, string>();
    for (const network of networks) {
      const name = nameOf(network);
      if (name === undefined) continue;
      const earlier = seen.get(name);
      if (earlier !== undefined)
        problems.push(`${earlier} and ${network.at} would have one ${what}, "${name}": rename a node`);
      else seen.set(name, network.at);
    }
  }
}
