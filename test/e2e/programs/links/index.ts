/**
 * A test program for the kinds that are one link each, every changeable property driven by config.
 *
 * Two "hosts", hostA and hostB, joined by a veth underlay (u0 192.168.77.1, u1 192.168.77.2); a
 * VXLAN tunnel over it between innerA (10.77.0.1 on vx0) and innerB (10.77.0.2 on vx0); a macvlan
 * on u1 in innerB (192.168.77.3), which reaches hostA over the underlay; and a bridge in hostA
 * with one port, an end of a veth pair of its own.
 */
import * as pulumi from "@pulumi/pulumi";
import { Bridge, IpAddress, MacVlan, NetNamespace, VethPair, Vxlan } from "../../../../provider/index.js";

const config = new pulumi.Config();
const prefix = config.require("prefix");
const ns = (name: string) => new NetNamespace(name, { name: `${prefix}${name}` }).name;
const [hostA, hostB, innerA, innerB] = [ns("hostA"), ns("hostB"), ns("innerA"), ns("innerB")];

const underlay = new VethPair("underlay", { name: "u0", netns: hostA, peerName: "u1", peerNetns: hostB });
const u0 = new IpAddress("u0-address", { address: "192.168.77.1/24", device: underlay.name, netns: hostA });
const u1 = new IpAddress("u1-address", { address: "192.168.77.2/24", device: underlay.peerName, netns: hostB });

const vni = config.getNumber("vni") ?? 42;
const vxA = new Vxlan("vx-a", {
  name: "vx0",
  netns: innerA,
  underlayNetns: hostA,
  vni,
  local: "192.168.77.1",
  remote: "192.168.77.2",
  device: u0.device,
  learning: config.getBoolean("learning") ?? true,
});
const vxB = new Vxlan("vx-b", {
  name: "vx0",
  netns: innerB,
  underlayNetns: hostB,
  vni,
  local: "192.168.77.2",
  remote: "192.168.77.1",
  device: u1.device,
});
new IpAddress("vx-a-address", { address: "10.77.0.1/24", device: vxA.name, netns: innerA });
new IpAddress("vx-b-address", { address: "10.77.0.2/24", device: vxB.name, netns: innerB });

const macvlan = new MacVlan("macvlan", {
  name: "mv0",
  netns: innerB,
  parent: u1.device,
  parentNetns: hostB,
  mode: (config.get("mode") ?? "bridge") as "bridge" | "private",
  mtu: config.getNumber("mtu"),
});
new IpAddress("macvlan-address", { address: "192.168.77.3/24", device: macvlan.name, netns: innerB });

const bridge = new Bridge("bridge", {
  name: config.get("bridge") ?? "br0",
  netns: hostA,
  stp: config.getBoolean("stp") ?? false,
  forwardDelay: config.getNumber("forwardDelay"),
});
new VethPair("port", { name: "m0", netns: hostA, peerName: "m1", master: bridge.name });

export const ids = { vxA: vxA.id, macvlan: macvlan.id, bridge: bridge.id };
