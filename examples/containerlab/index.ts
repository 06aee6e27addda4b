/**
 * A containerlab topology file brought up as network namespaces: `fromContainerlab` reads it into
 * a Topology's declaration, and says what of it has no counterpart here (images, startup configs,
 * the management network), each once, as warnings of `pulumi up`.
 *
 * Config (all optional):
 * - `file`: the topology file, relative to this project's folder (default `lab.clab.yml`);
 * - `prefix`: put before every namespace name (default: the lab's name and "-");
 * - `checks`: whether every node checks that it reaches every other (default true).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
// Inside this repository the library is imported by path; your own program imports "pulumi-netns".
import { fromContainerlab, Topology } from "../../provider/index.js";

const config = new pulumi.Config();
const file = path.join(pulumi.runtime.getRootDirectory(), config.get("file") ?? "lab.clab.yml");
const lab = fromContainerlab(readFileSync(file, "utf8"), {
  // containerlab leaves data-plane addresses to the nodes: the subnets come from these pools,
  // point-to-point links a /31 and a /127 each, as a fabric has them.
  pools: { ipv4: "10.72.0.0/16", ipv6: "fd00:72::/48", pointToPoint: true },
  prefix: config.get("prefix"),
  checks: (config.getBoolean("checks") ?? true) ? "all-pairs" : undefined,
});
for (const what of lab.unmapped) pulumi.log.warn(`${path.basename(file)}: ${what}`);

const topology = new Topology(lab.name, lab.spec);

export const nodes = topology.nodes;
export const checks = topology.checks;
export const mermaid = topology.mermaid;
export const dot = topology.dot;
