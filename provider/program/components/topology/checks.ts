/**
 * The checks of a topology: which pairs, at which addresses, and what is on the way of each (the
 * routes taken, the gateways, the routers' forwarding), so that a check comes after exactly that.
 */

import { type Cidr, familyOf, overlaps, parseCidr } from "../../../commands/address.js";
import { routeFor } from "./routing.js";
import type { PlannedCheck, PlannedInterface, PlannedNode, TopologySpec } from "./spec.js";

/** The checks of `checks`: for each pair, one per family of the destination's first interface. */
export function planChecks(checks: TopologySpec["checks"], nodes: PlannedNode[], problems: string[]): PlannedCheck[] {
  if (checks === undefined) return [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  let pairs: Array<[string, string]>;
  if (checks === "all-pairs") {
    pairs = nodes.flatMap((from) =>
      nodes.filter((to) => to !== from).map((to): [string, string] => [from.name, to.name]),
    );
  } else if (Array.isArray(checks)) {
    pairs = checks.filter(([from, to], i) => {
      for (const [j, name] of [from, to].entries()) {
        if (!byName.has(name)) problems.push(`checks[${i}][${j}] "${name}" is not a declared node`);
      }
      return byName.has(from) && byName.has(to);
    });
  } else {
    problems.push(`checks must be "all-pairs" or a list of [from, to] node names, got ${JSON.stringify(checks)}`);
    return [];
  }
  const paths = new Paths(nodes);
  return pairs.flatMap(([from, to]) => {
    const destination = byName.get(to) as PlannedNode;
    const iface = destination.interfaces[0];
    return (iface?.addresses ?? []).map((cidr) => {
      const address = cidr.split("/")[0] as string;
      const family = familyOf(address);
      const source = byName.get(from) as PlannedNode;
      // What the probe and its answer pass through: there, and the way back to where it left from.
      const there = paths.walk(source, address);
      const back = there.leftFrom === undefined ? [] : paths.walk(destination, there.leftFrom).needs;
      const needs = [`netns:${from}`, `netns:${to}`, `address:${to}:${iface?.name}:${family}`, ...there.needs, ...back];
      return { from, to, address, key: `${from}-reaches-${to}-v${family}`, needs: [...new Set(needs)] };
    });
  });
}

/**
 * The way a packet goes through a planned topology, by the planned routes, as the kernel would
 * take them (the longest prefix that holds the address). What a check depends on is what is on
 * its way: the routes taken, the gateways' addresses, the routers' forwarding.
 */
class Paths {
  /** Each address (bare) by the node and interface that have it. */
  private readonly owners = new Map<string, { node: PlannedNode; iface: PlannedInterface }>();

  constructor(nodes: PlannedNode[]) {
    for (const node of nodes) {
      for (const iface of node.interfaces) {
        for (const cidr of iface.addresses) this.owners.set(cidr.split("/")[0] as string, { node, iface });
      }
    }
  }

  /** From `start` to `address`: the keys of what is on the way, and the address it left `start` from. */
  walk(start: PlannedNode, address: string): { needs: string[]; leftFrom: string | undefined } {
    const family = familyOf(address);
    const target = parseCidr(`${address}/${family === 4 ? 32 : 128}`) as Cidr;
    const needs: string[] = [];
    let leftFrom: string | undefined;
    let node = start;
    // A node is at most once on a shortest way; the bound stops a loop of given routes.
    for (let hops = 0; hops <= this.owners.size; hops++) {
      const on = node.interfaces.find((i) => i.addresses.some((a) => overlaps(parseCidr(a) as Cidr, target)));
      const route = on === undefined ? routeFor(node, target) : undefined;
      const device = on?.name ?? route?.device;
      const own = node.interfaces.find((i) => i.name === device)?.addresses.find((a) => familyOf(a) === family);
      if (own !== undefined) {
        needs.push(`address:${node.name}:${device}:${family}`);
        leftFrom ??= own.split("/")[0];
      }
      if (on !== undefined || route === undefined) break;
      needs.push(`route:${node.name}:${route.key}`);
      const next = this.owners.get(route.via);
      if (next === undefined) break;
      needs.push(`address:${next.node.name}:${next.iface.name}:${family}`, `forwarding:${next.node.name}:${family}`);
      node = next.node;
    }
    return { needs, leftFrom };
  }
}
