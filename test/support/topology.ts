/**
 * What a user checks of a Topology: that every node reaches every other, on IPv4 and IPv6, by the
 * addresses the stack's `nodes` output gives.
 */
import type { PlannedNode } from "../../provider/index.js";
import { ping } from "./kernel.js";

/** Every `from -> to address` that does not answer a ping; none when the lab works. */
export function unreachable(nodes: Record<string, PlannedNode>): string[] {
  const all = Object.values(nodes);
  return all.flatMap((from) =>
    all
      .filter((to) => to !== from)
      // A node's first interface carries one address of each family it has.
      .flatMap((to) => (to.interfaces[0]?.addresses ?? []).map((a) => ({ to, address: a.split("/")[0] as string })))
      .filter(({ address }) => !ping(from.netns, address))
      .map(({ to, address }) => `${from.name} -> ${to.name} ${address}`),
  );
}

/** How many addresses of each family the nodes have: what `unreachable` pinged. */
export function familiesPinged(nodes: Record<string, PlannedNode>): { ipv4: number; ipv6: number } {
  const addresses = Object.values(nodes).flatMap((n) => n.interfaces[0]?.addresses ?? []);
  return {
    ipv4: addresses.filter((a) => !a.includes(":")).length,
    ipv6: addresses.filter((a) => a.includes(":")).length,
  };
}
