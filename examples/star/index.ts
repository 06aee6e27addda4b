/**
 * A star of N spoke namespaces routed through one hub, built with the StarLab component.
 *
 * Config (all optional):
 * - `spokes`: how many (default 3, at most 250); spoke i gets 10.3.i.0/24;
 * - `hubNetns`: put the hub in a namespace of this name instead of the root namespace;
 * - `prefix`: put before every namespace and interface name (at most 9 characters).
 */
import * as pulumi from "@pulumi/pulumi";
// Inside this repository the library is imported by path; your own program imports "pulumi-netns".
import { StarLab } from "../../provider/index.js";

const config = new pulumi.Config();
const count = config.getNumber("spokes", { min: 1, max: 250 }) ?? 3;
const prefix = config.get("prefix") ?? "";

const star = new StarLab("star", {
  prefix,
  hubNetns: config.get("hubNetns"),
  spokes: Array.from({ length: count }, (_, i) => ({ name: `spoke${i}`, subnet: `10.3.${i}.0/24` })),
});

export const hubNetns = star.hubNetns;
export const spokes = star.spokes;
export const mermaid = star.mermaid;
