/**
 * A test program with one resource of every kind, each property driven by config, so the e2e tests
 * can change one thing at a time and watch the engine update or replace it.
 *
 * Two namespaces a and b, a veth pair between them, an address on each end, a route in a through
 * b's end, and IPv4 forwarding in a.
 */
import * as pulumi from "@pulumi/pulumi";
import { IpAddress, NetNamespace, Route, Sysctl, VethPair } from "../../../../provider/index.js";

const config = new pulumi.Config();
const prefix = config.require("prefix");

const a = new NetNamespace("a", { name: `${prefix}a` });
const b = new NetNamespace("b", { name: `${prefix}b` });
const pair = new VethPair("pair", {
  name: config.get("name") ?? "va",
  peerName: "vb",
  netns: a.name,
  peerNetns: b.name,
  mtu: config.getNumber("mtu"),
  up: config.getBoolean("up") ?? true,
});
const addressA = new IpAddress("address-a", {
  address: config.get("addressA") ?? "10.9.0.1/24",
  device: pair.name,
  netns: a.name,
});
const addressB = new IpAddress("address-b", { address: "10.9.0.2/24", device: pair.peerName, netns: b.name });
// The route takes its device from the address, so replacing the pair (which makes the kernel drop
// the route) replaces the route too.
const route = new Route(
  "route",
  { destination: "10.9.9.0/24", via: config.get("via") ?? "10.9.0.2", device: addressA.device, netns: a.name },
  { dependsOn: [addressB] },
);
const forward = new Sysctl("forward", {
  key: "net.ipv4.ip_forward",
  value: config.get("forward") ?? "1",
  netns: a.name,
});

export const ifindex = pair.ifindex;
export const ids = { pair: pair.id, addressA: addressA.id, route: route.id, forward: forward.id };
