/**
 * Two Ethernet segments joined by a router: three hosts on the first, one on the second. Each
 * segment is a bridge in a namespace of its own (a switch); every member's link is a veth pair
 * whose far end is a port of that bridge.
 *
 *   h1 10.20.1.11 ─┐
 *   h2 10.20.1.12 ─┼─ sw1 (br0) ── 10.20.1.1 router 10.20.2.1 ── sw2 (br0) ── h4 10.20.2.14
 *   h3 10.20.1.13 ─┘
 *
 * The hosts' default routes point at the router, which forwards between its two segments.
 *
 * Config (optional): `prefix`, put before every namespace and interface name, so two stacks can
 * coexist (interface names stay within 15 bytes: at most 9 characters).
 */
import * as pulumi from "@pulumi/pulumi";
// Inside this repository the library is imported by path; your own program imports "pulumi-netns".
import { Bridge, IpAddress, NetNamespace, Route, Sysctl, VethPair } from "../../src/index.js";

const prefix = new pulumi.Config().get("prefix") ?? "";

const router = new NetNamespace("router", { name: `${prefix}router` });
const forwarding = new Sysctl("router-forwarding", { key: "net.ipv4.ip_forward", value: "1", netns: router.name });

/** A segment: a switch namespace with a bridge, on its own /24, with the router at .1. */
function segment(index: number) {
  const subnet = `10.20.${index}`;
  const name = `sw${index}`;
  const netns = new NetNamespace(name, { name: `${prefix}${name}` });
  const bridge = new Bridge(`${name}-bridge`, { name: "br0", netns: netns.name });
  /** Joins the namespace `member` to the segment at `subnet`.`host`, through its `eth<index>`. */
  const join = (label: string, member: NetNamespace, host: number) => {
    const pair = new VethPair(`${label}-${name}`, {
      name: `eth${index}`,
      netns: member.name,
      peerName: label,
      peerNetns: netns.name,
      peerMaster: bridge.name,
    });
    const address = new IpAddress(`${label}-${name}-address`, {
      address: `${subnet}.${host}/24`,
      device: pair.name,
      netns: member.name,
    });
    return address;
  };
  join("router", router, 1);
  return { subnet, join };
}

const first = segment(1);
const second = segment(2);

/** A host: a namespace on one segment, its default route through the router. */
function host(label: string, on: ReturnType<typeof segment>, number: number) {
  const netns = new NetNamespace(label, { name: `${prefix}${label}` });
  const address = on.join(label, netns, number);
  new Route(`${label}-default`, {
    destination: "default",
    via: `${on.subnet}.1`,
    device: address.device,
    netns: netns.name,
  });
  return { label, netns: netns.name, address: `${on.subnet}.${number}` };
}

const hosts = [host("h1", first, 11), host("h2", first, 12), host("h3", first, 13), host("h4", second, 14)];

export const addresses = Object.fromEntries(hosts.map((h) => [h.label, h.address]));
export const ipForward = forwarding.value;
/** Every host pings every other: across the bridge, and through the router. */
export const verify = pulumi
  .all(hosts.map((h) => h.netns))
  .apply((names) =>
    names.flatMap((from, i) =>
      hosts.filter((_, j) => j !== i).map((to) => `ip netns exec ${from} ping -c 1 ${to.address}`),
    ),
  );
