/**
 * Two Ethernet segments joined by a router, declared as a Topology: three hosts on the first, one
 * on the second. Each segment is a bridge in a namespace of its own (a switch); every member joins
 * it by a veth pair whose far end is a port of that bridge.
 *
 *   h1 .11 ─┐
 *   h2 .12 ─┼─ sw1 ── .1 router .1 ── sw2 ── h4 .14        sw1: 10.20.1.0/24, fd00:20:1::/64
 *   h3 .13 ─┘                                               sw2: 10.20.2.0/24, fd00:20:2::/64
 *
 * The hosts' default routes (IPv4 and IPv6) point at the router, which forwards between its two
 * segments: the Topology works that out from the graph.
 *
 * Config (optional): `prefix`, put before every namespace name, so two stacks can coexist.
 */
import * as pulumi from "@pulumi/pulumi";
// Inside this repository the library is imported by path; your own program imports "pulumi-netns".
import { Topology } from "../../src/index.js";

const lan = new Topology("lan", {
  prefix: new pulumi.Config().get("prefix") ?? "",
  nodes: [
    { name: "router", router: true },
    { name: "h1", number: 11 },
    { name: "h2", number: 12 },
    { name: "h3", number: 13 },
    { name: "h4", number: 14 },
  ],
  segments: [
    { name: "sw1", members: ["router", "h1", "h2", "h3"], subnet: "10.20.1.0/24", subnet6: "fd00:20:1::/64" },
    { name: "sw2", members: ["router", "h4"], subnet: "10.20.2.0/24", subnet6: "fd00:20:2::/64" },
  ],
});

export const nodes = lan.nodes;
export const mermaid = lan.mermaid;
/** Every node pings every other, on each of its addresses: across a bridge, and through the router. */
export const verify = lan.nodes.apply((all) =>
  Object.values(all).flatMap((from) =>
    Object.values(all)
      .filter((to) => to !== from)
      .flatMap((to) => (to.interfaces[0]?.addresses ?? []).map((a) => a.split("/")[0]))
      .map((address) => `ip netns exec ${from.netns} ping -c 1 ${address}`),
  ),
);
