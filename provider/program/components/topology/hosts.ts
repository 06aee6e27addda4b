/** The names `hosts: true` writes into every node's hosts file. */

import { familyOf } from "../../../commands/address.js";
import { type HostsEntry, hostName } from "../../../commands/netns-files.js";
import { isProblem } from "../../../rule.js";
import type { PlannedNode } from "./spec.js";

/** Each node's name at the first address of each family on its first interface: what `hosts: true` writes. */
export function planHosts(nodes: PlannedNode[], problems: string[]): HostsEntry[] {
  return nodes.flatMap((node, i) => {
    const name = hostName(node.name);
    if (isProblem(name)) {
      problems.push(`nodes[${i}] "${node.name}" cannot be named in a hosts file (hosts: true): it ${name.problem}`);
      return [];
    }
    const addresses = node.interfaces[0]?.addresses ?? [];
    return ([4, 6] as const).flatMap((family) => {
      const first = addresses.find((a) => familyOf(a) === family);
      return first === undefined ? [] : [{ address: first.split("/")[0] as string, names: [node.name] }];
    });
  });
}
