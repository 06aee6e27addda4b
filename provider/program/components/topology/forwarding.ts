/** A router's forwarding, which both the resources (make.ts) and the script (script.ts) set: per family it has. */
import { familyOf } from "../../../commands/address.js";
import type { PlannedNode } from "./spec.js";

/** Each family's forwarding switch, as a sysctl key. */
export const FORWARDING = { 4: "net.ipv4.ip_forward", 6: "net.ipv6.conf.all.forwarding" } as const;

/** The families a node has addresses of: those it forwards, when it is a router. */
export function familiesOf(node: PlannedNode): (4 | 6)[] {
  const families = new Set(node.interfaces.flatMap((i) => i.addresses.map(familyOf)));
  return ([4, 6] as const).filter((family) => families.has(family));
}
