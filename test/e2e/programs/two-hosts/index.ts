/**
 * A test program: a lab over two hosts (the `hostA`/`hostB` ssh_config aliases of `sshConfig`,
 * with underlays `underlayA`/`underlayB`). Router r and h1 are on host a; h2 and h3 on host b. h2
 * is on r's segment `lan` (its bridge on a) through a tunnel, and h3 on a link to r, also a tunnel.
 */
import * as pulumi from "@pulumi/pulumi";
import { Topology } from "../../../../src/index.js";

const config = new pulumi.Config();
const configFile = config.require("sshConfig");
const port = config.getNumber("port");
const lab = new Topology("two", {
  prefix: config.require("prefix"),
  machines: {
    a: { host: { address: config.require("hostA"), configFile, port }, underlay: config.require("underlayA") },
    b: { host: { address: config.require("hostB"), configFile, port }, underlay: config.require("underlayB") },
  },
  nodes: [
    { name: "r", router: true, machine: "a" },
    { name: "h1", machine: "a" },
    { name: "h2", machine: "b" },
    { name: "h3", machine: "b" },
  ],
  segments: [{ name: "lan", members: ["r", "h1", "h2"] }],
  links: [{ between: ["r", "h3"] }],
  pools: { ipv4: "10.70.0.0/16" },
  checks: [
    ["h2", "h3"],
    ["h1", "h2"],
    ["h3", "h1"],
  ],
});

export const nodes = lab.nodes;
export const checks = lab.checks;
export const mermaid = lab.mermaid;
