/**
 * A test program: a lab over two hosts (the `hostA`/`hostB` ssh_config aliases of `sshConfig`,
 * with underlays `underlayA`/`underlayB`). Router r and h1 are on host a; h2 and h3 on host b. h2
 * is on r's segment `lan` (its bridge on a) through a tunnel, and h3 on a link to r, also a tunnel.
 * Every node has a hosts file; h3 runs a web server, which h1 checks by TCP across the hosts.
 * Host b forwards in its own root namespace, a sysctl whose value is put back on destroy.
 */
import * as pulumi from "@pulumi/pulumi";
import { NetnsProcess, Reachability, Sysctl, Topology } from "../../../../provider/index.js";

const config = new pulumi.Config();
const configFile = config.require("sshConfig");
const port = config.getNumber("port");
const prefix = config.require("prefix");
const hostA = { address: config.require("hostA"), configFile, port };
const hostB = { address: config.require("hostB"), configFile, port };
const lab = new Topology("two", {
  prefix,
  machines: {
    a: { host: hostA, underlay: config.require("underlayA") },
    b: { host: hostB, underlay: config.require("underlayB") },
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
  hosts: true,
});

const serve =
  'require("http").createServer((q, s) => s.end("hello from h3\\n")).listen(8080, () => console.log("serving"))';
const web = new NetnsProcess(
  "web",
  { host: hostB, netns: `${prefix}h3`, command: ["node", "-e", serve], readyPort: 8080 },
  { dependsOn: lab },
);
export const webCheck = new Reachability(
  "h1-reaches-web",
  {
    host: hostA,
    netns: `${prefix}h1`,
    address: lab.nodes.apply((n) => (n.h3?.interfaces[0]?.addresses[0] ?? "").split("/")[0] as string),
    protocol: "tcp",
    port: 8080,
  },
  { dependsOn: web },
).rtt;
export const webPid = web.pid;
new Sysctl("b-forwarding", { host: hostB, key: "net.ipv4.ip_forward", value: "1" });

export const nodes = lab.nodes;
export const checks = lab.checks;
export const mermaid = lab.mermaid;
