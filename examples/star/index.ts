/**
 * A star of N spoke namespaces routed through one hub, built with the StarLab component.
 *
 * Config (all optional):
 * - `spokes`: how many (default 3, at most 250); spoke i gets 10.3.i.0/24;
 * - `hubNetns`: put the hub in a namespace of this name instead of the root namespace;
 * - `prefix`: put before every namespace and interface name (at most 9 characters);
 * - `checks`: whether the star checks itself (default true): every spoke reaches the next one
 *   through the hub (the last the first), one ReachabilitySet per spoke.
 */
import * as pulumi from "@pulumi/pulumi";
// Inside this repository the library is imported by path; your own program imports "pulumi-netns".
import { StarLab } from "../../provider/index.js";

const config = new pulumi.Config();
const count = config.getNumber("spokes", { min: 1, max: 250 }) ?? 3;
const prefix = config.get("prefix") ?? "";

const names = Array.from({ length: count }, (_, i) => `spoke${i}`);
const star = new StarLab("star", {
  prefix,
  hubNetns: config.get("hubNetns"),
  spokes: names.map((name, i) => ({ name, subnet: `10.3.${i}.0/24` })),
  checks:
    (config.getBoolean("checks") ?? true)
      ? names.map((name, i): [string, string] => [name, count === 1 ? "hub" : (names[(i + 1) % count] as string)])
      : undefined,
});

export const hubNetns = star.hubNetns;
export const spokes = star.spokes;
export const mermaid = star.mermaid;
/** Each check: the pair, the address probed and the round trip in milliseconds. */
export const checks = star.checks;
