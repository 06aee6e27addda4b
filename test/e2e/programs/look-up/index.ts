/**
 * A test program that reads objects it does not own: the namespace config `netns` names and the
 * veth pair one of whose ends is config `end` (`NETNS/NAME`), with `.get()`.
 */
import * as pulumi from "@pulumi/pulumi";
import { NetNamespace, VethPair } from "../../../../provider/index.js";

const config = new pulumi.Config();
const ns = NetNamespace.get("found-ns", config.require("netns"));
const pair = VethPair.get("found-pair", config.require("end"));

export const loopbackUp = ns.loopbackUp;
export const ends = pulumi.all([pair.name, pair.netns, pair.peerName, pair.peerNetns]);
