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
 * segments: the Topology works that out from the graph. Every node's hosts file names every
 * other node (`ip netns exec h4 ping h1` works).
 *
 * Beyond the LAN, the router has an uplink to `upstream` (198.51.100.0/24), a namespace that
 * stands for the outside world: it has no route back to the LAN, so the hosts reach it only
 * through the router's NAT, as the router's address. And h1 runs a web server on port 80, which
 * h4 is checked to reach across the router.
 *
 *   router uplink .1 ── 198.51.100.0/24 ── .2 upstream      (NAT: 10.20.0.0/16 leaves as .1)
 *
 * Config (optional): `prefix`, put before every namespace name, so two stacks can coexist.
 */
import * as pulumi from "@pulumi/pulumi";
// Inside this repository the library is imported by path; your own program imports "pulumi-netns".
import { IpAddress, Nat, NetNamespace, NetnsProcess, Reachability, Topology, VethPair } from "../../provider/index.js";

const prefix = new pulumi.Config().get("prefix") ?? "";
const lan = new Topology("lan", {
  prefix,
  hosts: true,
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

// The namespaces by node, once the whole LAN is in place.
const netnsOf = (node: string) => lan.nodes.apply((all) => all[node]?.netns as string);

// The outside world: a namespace on the router's uplink, with no route back to the LAN.
const upstream = new NetNamespace("upstream", { name: `${prefix}upstream` });
const uplink = new VethPair("uplink", {
  name: "uplink",
  netns: netnsOf("router"),
  peerName: "eth0",
  peerNetns: upstream.name,
});
const routerUplink = new IpAddress("uplink-router", {
  address: "198.51.100.1/24",
  device: uplink.name,
  netns: netnsOf("router"),
});
const upstreamAddress = new IpAddress("uplink-upstream", {
  address: "198.51.100.2/24",
  device: uplink.peerName,
  netns: upstream.name,
});
const nat = new Nat("router-nat", {
  netns: netnsOf("router"),
  device: uplink.name,
  sources: ["10.20.1.0/24", "10.20.2.0/24"],
});

// A web server on h1, logging each request; `up` goes on once it accepts connections.
const server = `require("http").createServer((request, response) => {
  console.log(request.method, request.url, "from", request.socket.remoteAddress);
  response.end("hello from h1\\n");
}).listen(80, () => console.log("listening on port 80"));`;
const web = new NetnsProcess("h1-web", {
  netns: netnsOf("h1"),
  command: [process.execPath, "-e", server],
  readyPort: 80,
});

const webCheck = new Reachability(
  "h4-reaches-web",
  { netns: netnsOf("h4"), address: "10.20.1.11", protocol: "tcp", port: 80 },
  { dependsOn: [web] },
);
const outsideCheck = new Reachability(
  "h2-reaches-upstream",
  { netns: netnsOf("h2"), address: "198.51.100.2" },
  { dependsOn: [nat, routerUplink, upstreamAddress] },
);

export const nodes = lan.nodes;
/** Where h1's web server writes what it serves. */
export const webLog = web.logFile;
/** The checks beyond the LAN, with their round trips. */
export const services = { "h4 -> h1:80": webCheck.rtt, "h2 -> upstream": outsideCheck.rtt };
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
