/**
 * Routes: given ones checked against the node's interfaces, or computed from the graph of
 * networks and routers (the first router on a shortest path; a default route where one gateway
 * reaches everything); and the route a node takes to an address.
 */

import { type Cidr, type Family, familyOf, networkOf, overlaps, parseCidr } from "../../../commands/address.js";
import { routeDestination, routeGateway } from "../../../commands/route.js";
import { isProblem } from "../../../rule.js";
import { addressOf, type Network } from "./addressing.js";
import type { PlannedInterface, PlannedNode, PlannedRoute, TopologyNode, TopologyRoute } from "./spec.js";

/** What the route computation looks at: each node's networks, and which nodes forward. */
interface Graph {
  networksOf: Map<string, Network[]>;
  routers: Set<string>;
}

export function planNodes(
  nodes: TopologyNode[],
  networks: Network[],
  netnsOf: Map<string, string | undefined>,
  problems: string[],
): Omit<PlannedNode, "machine">[] {
  const networksOf = new Map<string, Network[]>(nodes.map((n) => [n.name, []]));
  for (const network of networks) for (const m of network.members) networksOf.get(m)?.push(network);
  const graph: Graph = {
    networksOf,
    routers: new Set(nodes.filter((n) => n.router === true).map((n) => n.name)),
  };
  return nodes.map((node, i) => {
    const interfaces = (networksOf.get(node.name) ?? []).map((network) => ({
      name: network.devices.get(node.name) as string,
      network: network.id,
      addresses: ([4, 6] as const).flatMap((f) => addressOf(network, f, node.name) ?? []),
    }));
    const routes =
      node.routes === undefined
        ? ([4, 6] as const).flatMap((f) => computedRoutes(node, f, networks, graph, problems))
        : givenRoutes(`nodes[${i}]`, node.routes, interfaces, problems);
    const netns = netnsOf.get(node.name);
    return { name: node.name, netns, router: graph.routers.has(node.name), interfaces, routes };
  });
}

function givenRoutes(
  at: string,
  routes: TopologyRoute[],
  interfaces: PlannedInterface[],
  problems: string[],
): PlannedRoute[] {
  return routes.flatMap((route, j) => {
    const destination = routeDestination(route.destination);
    const via = routeGateway(route.via);
    if (isProblem(destination))
      problems.push(`${at}.routes[${j}].destination "${route.destination}" ${destination.problem}`);
    if (isProblem(via)) problems.push(`${at}.routes[${j}].via "${route.via}" ${via.problem}`);
    if (isProblem(destination) || isProblem(via)) return [];
    // The device is the interface whose network holds the gateway.
    const gateway = parseCidr(`${via}/${via.includes(":") ? 128 : 32}`) as Cidr;
    const device = interfaces.find((iface) => iface.addresses.some((a) => overlaps(parseCidr(a) as Cidr, gateway)));
    if (device === undefined) {
      problems.push(`${at}.routes[${j}].via ${via} is on none of the node's networks`);
      return [];
    }
    return [{ destination, via, device: device.name, key: `route${j}` }];
  });
}

/**
 * The routes of one family for a node: breadth first from the node, over networks of that
 * family, going on only through routers; each network found is reached through the first router
 * of the way it was found by.
 */
function computedRoutes(
  node: TopologyNode,
  family: Family,
  networks: Network[],
  graph: Graph,
  problems: string[],
): PlannedRoute[] {
  const hasFamily = (n: Network) => n.subnets[family] !== undefined;
  const own = (graph.networksOf.get(node.name) ?? []).filter(hasFamily);
  if (own.length === 0) return [];
  type Hop = { router: string; via: Network };
  const firstHop = new Map<Network, Hop>();
  const seen = new Set<Network>(own);
  const reached = new Set<string>([node.name]);
  let frontier: { router: string; hop: Hop }[] = [];
  const reach = (network: Network, hop: (router: string) => Hop, into: typeof frontier) => {
    for (const member of network.members) {
      if (graph.routers.has(member) && !reached.has(member)) {
        reached.add(member);
        into.push({ router: member, hop: hop(member) });
      }
    }
  };
  for (const network of own) reach(network, (router) => ({ router, via: network }), frontier);
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { router, hop } of frontier) {
      for (const network of graph.networksOf.get(router) ?? []) {
        if (!hasFamily(network) || seen.has(network)) continue;
        seen.add(network);
        firstHop.set(network, hop);
        reach(network, () => hop, next);
      }
    }
    frontier = next;
  }
  const missing = networks.filter((n) => hasFamily(n) && !seen.has(n));
  if (missing.length > 0) {
    problems.push(
      `node "${node.name}" cannot reach ${missing.map((n) => n.at).join(", ")} over IPv${family}: ` +
        "no way there through routers (make a node on the way a router, or give the node its routes)",
    );
    return [];
  }
  const route = (network: Network | undefined, hop: Hop): PlannedRoute => ({
    destination: network === undefined ? "default" : networkOf(network.subnets[family] as Cidr),
    via: (addressOf(hop.via, family, hop.router) as string).split("/")[0] as string,
    device: hop.via.devices.get(node.name) as string,
    key: `${network === undefined ? "default" : `to-${network.id}`}-v${family}`,
  });
  const hops = [...firstHop.entries()];
  const gateways = new Set(hops.map(([, hop]) => hop));
  const [first] = hops;
  if (node.router !== true && gateways.size === 1 && first !== undefined) return [route(undefined, first[1])];
  return hops.map(([network, hop]) => route(network, hop));
}

/** The route a node takes to `target`: the longest of its prefixes of that family that hold it. */
export function routeFor(node: PlannedNode, target: Cidr): PlannedRoute | undefined {
  let best: { route: PlannedRoute; length: number } | undefined;
  for (const route of node.routes) {
    if (familyOf(route.via) !== target.family) continue;
    const prefix = route.destination === "default" ? undefined : (parseCidr(route.destination) as Cidr);
    if (prefix !== undefined && !overlaps(prefix, target)) continue;
    const length = prefix?.prefixLength ?? 0;
    if (best === undefined || length > best.length) best = { route, length };
  }
  return best?.route;
}
