/**
 * A test program for the kinds that make namespaces behave like hosts: a host h behind a router r
 * (10.81.1.0/24), and an upstream u (10.81.2.0/24, on r's `up0`) that has no route back to h's
 * network, so h reaches it only through r's masquerade (Nat). u runs a server (NetnsProcess) that
 * answers each connection with config `greeting` and the address the connection came from; h
 * knows u as `upstream` from its hosts file (HostsFile) and has a resolv.conf of its own
 * (ResolvConf). A TCP check from h to the server closes the stack.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  HostsFile,
  IpAddress,
  Nat,
  NetNamespace,
  NetnsProcess,
  Reachability,
  ResolvConf,
  Route,
  Sysctl,
  VethPair,
} from "../../../../provider/index.js";

const config = new pulumi.Config();
const prefix = config.require("prefix");
const greeting = config.get("greeting") ?? "hello";
const ns = (name: string) => new NetNamespace(name, { name: `${prefix}${name}` });
const [h, r, u] = [ns("h"), ns("r"), ns("u")];

/** Joins `side` to the router on 10.81.`n`.0/24 through the router's `device`: the router at .1, the side at .2. */
function join(side: NetNamespace, n: number, device: string) {
  const pair = new VethPair(`r-${device}`, { name: device, netns: r.name, peerName: "eth0", peerNetns: side.name });
  const router = new IpAddress(`r-${device}-address`, { address: `10.81.${n}.1/24`, device: pair.name, netns: r.name });
  const own = new IpAddress(`${n}-address`, { address: `10.81.${n}.2/24`, device: pair.peerName, netns: side.name });
  return { pair, router, own };
}
const lan = join(h, 1, "lan0");
const up = join(u, 2, "up0");
const defaultRoute = new Route(
  "h-default",
  { destination: "default", via: "10.81.1.1", netns: h.name },
  { dependsOn: [lan.own] },
);
const forwarding = new Sysctl("r-forwarding", { key: "net.ipv4.ip_forward", value: "1", netns: r.name });
const nat = new Nat("r-nat", { netns: r.name, device: up.pair.name, sources: ["10.81.1.0/24"] });

// No handler for socket errors: the readiness probe and the TCP check close politely.
const serve = `require("net").createServer((s) => s.end(process.env.GREETING + " " + s.remoteAddress)).listen(8090, "0.0.0.0", () => console.log("serving on 8090"));`;
const server = new NetnsProcess(
  "u-server",
  { netns: u.name, command: [process.execPath, "-e", serve], env: { GREETING: greeting }, readyPort: 8090 },
  { dependsOn: [up.own] },
);
const hosts = new HostsFile("h-hosts", {
  netns: h.name,
  entries: [
    { address: "10.81.2.2", names: ["upstream"] },
    { address: "10.81.1.1", names: ["gateway"] },
  ],
});
new ResolvConf("h-resolv", { netns: h.name, nameservers: ["10.81.1.1"], search: ["lab"] });

const check = new Reachability(
  "h-reaches-server",
  { netns: h.name, address: "10.81.2.2", protocol: "tcp", port: 8090 },
  { dependsOn: [server, nat, forwarding, defaultRoute, lan.router, up.router] },
);

export const pid = server.pid;
export const logFile = server.logFile;
export const hostsPath = hosts.path;
export const chain = nat.chain;
export const connectMs = check.rtt;
