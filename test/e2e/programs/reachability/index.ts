/**
 * A test program for Reachability: a router namespace r joined to a (10.70.1.0/24) and to b
 * (10.70.2.0/24), forwarding on, but no routes in a or b: they are isolated from each other.
 * Checks: a does not reach b (isolation), a reaches r, and r connects to b's TCP port `port`, where
 * the test runs a listener.
 */
import * as pulumi from "@pulumi/pulumi";
import { IpAddress, NetNamespace, Reachability, Sysctl, VethPair } from "../../../../provider/index.js";

const config = new pulumi.Config();
const prefix = config.require("prefix");
const ns = (name: string) => new NetNamespace(name, { name: `${prefix}${name}` });
const [a, b, r] = [ns("a"), ns("b"), ns("r")];
const made: pulumi.Resource[] = [a, b, r];

/** Joins `side` to the router on 10.70.`n`.0/24: the router at .1, the side at .2. */
function join(side: NetNamespace, n: number) {
  const pair = new VethPair(`r-${n}`, { name: `r${n}`, netns: r.name, peerName: "uplink", peerNetns: side.name });
  const router = new IpAddress(`r-${n}-address`, { address: `10.70.${n}.1/24`, device: pair.name, netns: r.name });
  const own = new IpAddress(`side-${n}-address`, {
    address: `10.70.${n}.2/24`,
    device: pair.peerName,
    netns: side.name,
  });
  made.push(pair, router, own);
}
join(a, 1);
join(b, 2);
made.push(new Sysctl("r-forwarding", { key: "net.ipv4.ip_forward", value: "1", netns: r.name }));

const after = { dependsOn: made };
new Reachability("a-isolated-from-b", { netns: a.name, address: "10.70.2.2", expect: "unreachable", tries: 1 }, after);
new Reachability("a-reaches-r", { netns: a.name, address: "10.70.1.1" }, after);
const tcp = new Reachability(
  "r-reaches-b-tcp",
  { netns: r.name, address: "10.70.2.2", protocol: "tcp", port: config.requireNumber("port") },
  after,
);
export const tcpConnectMs = tcp.rtt;
