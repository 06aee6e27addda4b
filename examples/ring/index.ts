/**
 * A ring of routers, each with a host of its own on a point-to-point link, declared as a Topology.
 * No address is written down: every link takes a /24 and a /64 from the pools, and the routes
 * (the shorter way round the ring) are computed from the graph. The lab checks itself: every node
 * reaches every other, on both families.
 *
 *   h1 ── r1 ── r2 ── h2
 *         │      │
 *   h4 ── r4 ── r3 ── h3
 *
 * Config (all optional):
 * - `routers`: how many routers in the ring (default 4, from 3 to 50);
 * - `prefix`: put before every namespace name, so two stacks can coexist.
 */
import * as pulumi from "@pulumi/pulumi";
// Inside this repository the library is imported by path; your own program imports "pulumi-netns".
import { Topology } from "../../provider/index.js";

const config = new pulumi.Config();
const count = config.getNumber("routers", { min: 3, max: 50 }) ?? 4;
const numbers = Array.from({ length: count }, (_, i) => i + 1);

const ring = new Topology("ring", {
  prefix: config.get("prefix") ?? "",
  pools: { ipv4: "10.30.0.0/16", ipv6: "fd00:30::/48" },
  nodes: [...numbers.map((i) => ({ name: `r${i}`, router: true })), ...numbers.map((i) => ({ name: `h${i}` }))],
  links: [
    ...numbers.map((i) => ({ between: [`r${i}`, `r${(i % count) + 1}`] as [string, string] })),
    ...numbers.map((i) => ({ between: [`r${i}`, `h${i}`] as [string, string] })),
  ],
  // Every node pings every other on IPv4 and IPv6, on `up` and on every refresh: a lost path is drift.
  checks: "all-pairs",
});

export const nodes = ring.nodes;
/** Each check's pair and round trip, as the last `up` measured them. */
export const checks = ring.checks;
export const mermaid = ring.mermaid;
