/**
 * The lab pulumi-netns grew from: two namespaces, ns0 and ns1, each joined to the host by a veth
 * pair, with routes through the host and IPv4 forwarding on it, so ns0 and ns1 reach each other.
 *
 *   ns0: veth12 10.1.10.2/24 ── veth11 10.1.10.1/24  host  veth21 10.1.20.1/24 ── veth22 10.1.20.2/24 :ns1
 *
 * Config (all optional):
 * - `hostNetns`: put the host role in a namespace of this name, created by the stack, instead of the
 *   machine's root namespace (the tests use this, so they never change the root namespace);
 * - `prefix`: put before every namespace and interface name, so two stacks can coexist
 *   (interface names stay within 15 bytes: at most 9 characters).
 */
import * as pulumi from "@pulumi/pulumi";
// Inside this repository the library is imported by path; your own program imports "pulumi-netns".
import { IpAddress, NetNamespace, Reachability, Route, Sysctl, VethPair } from "../../provider/index.js";

const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "";
const hostNetnsName = config.get("hostNetns");

// The host role: the root namespace (no name), or a namespace of its own.
const host = hostNetnsName === undefined ? undefined : new NetNamespace("host", { name: hostNetnsName });
const hostNetns = host?.name;

/** One spoke: a namespace joined to the host by a veth pair, on its own /24. */
function spoke(index: 0 | 1, subnet: string, otherSubnet: string) {
  const ns = new NetNamespace(`ns${index}`, { name: `${prefix}ns${index}` });
  const n = index + 1;
  const pair = new VethPair(`veth${n}1-veth${n}2`, {
    name: `${prefix}veth${n}1`,
    netns: hostNetns,
    peerName: `${prefix}veth${n}2`,
    peerNetns: ns.name,
  });
  // Each address names its device through the pair's outputs, so it waits for the pair.
  const hostAddress = new IpAddress(`veth${n}1-address`, {
    address: `${subnet}.1/24`,
    device: pair.name,
    netns: hostNetns,
  });
  const spokeAddress = new IpAddress(`veth${n}2-address`, {
    address: `${subnet}.2/24`,
    device: pair.peerName,
    netns: ns.name,
  });
  // The route names its device and namespace through the spoke's address, so the gateway is
  // on a connected subnet by the time the route is added.
  const route = new Route(`ns${index}-to-ns${1 - index}`, {
    destination: `${otherSubnet}.0/24`,
    via: `${subnet}.1`,
    device: spokeAddress.device,
    netns: ns.name,
  });
  return { ns, pair, hostAddress, spokeAddress, route };
}

const ns0 = spoke(0, "10.1.10", "10.1.20");
const ns1 = spoke(1, "10.1.20", "10.1.10");

const forwarding = new Sysctl("ip-forward", {
  key: "net.ipv4.ip_forward",
  value: "1",
  netns: hostNetns,
});

export const namespaces = { host: hostNetns ?? "(root namespace)", ns0: ns0.ns.name, ns1: ns1.ns.name };
export const interfaces = {
  host: [ns0.pair.name, ns1.pair.name],
  ns0: ns0.pair.peerName,
  ns1: ns1.pair.peerName,
};
export const addresses = {
  [`${prefix}veth11`]: ns0.hostAddress.address,
  [`${prefix}veth12`]: ns0.spokeAddress.address,
  [`${prefix}veth21`]: ns1.hostAddress.address,
  [`${prefix}veth22`]: ns1.spokeAddress.address,
};
export const ipForward = forwarding.value;

// The four pings the lab exists for, checked on every `up` and every refresh: a path lost shows
// as drift in `preview`. They come after everything else, so `up` checks the repaired lab.
const everything = [ns0, ns1].flatMap((s) => [s.ns, s.pair, s.hostAddress, s.spokeAddress, s.route]);
const pings = [
  { from: "ns0", netns: ns0.ns.name, address: "10.1.20.2" },
  { from: "ns1", netns: ns1.ns.name, address: "10.1.10.2" },
  { from: "host", netns: hostNetns, address: "10.1.10.2" },
  { from: "host", netns: hostNetns, address: "10.1.20.2" },
].map(
  (ping) =>
    new Reachability(
      `${ping.from}-reaches-${ping.address}`,
      { netns: ping.netns, address: ping.address },
      { dependsOn: [...everything, forwarding, ...(host === undefined ? [] : [host])] },
    ),
);
/** Each ping's round trip, as measured by the last `up`. */
export const verify = pulumi
  .all(pings.map((p) => pulumi.all([p.netns, p.address, p.rtt])))
  .apply((results) =>
    Object.fromEntries(results.map(([netns, address, rtt]) => [`${netns ?? "host"} -> ${address}`, `${rtt} ms`])),
  );
