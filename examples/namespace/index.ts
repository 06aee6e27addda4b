/**
 * The smallest stack: one network namespace with its loopback up.
 *
 * Config (all optional): `name` — the namespace's name (default "pulumi-netns-demo").
 */
import * as pulumi from "@pulumi/pulumi";
// Inside this repository the library is imported by path; your own program imports "pulumi-netns".
import { NetNamespace } from "../../provider/index.js";

const config = new pulumi.Config();
const ns = new NetNamespace("demo", { name: config.get("name") ?? "pulumi-netns-demo" });

export const netns = ns.name;
export const loopbackUp = ns.loopbackUp;
export const verify = pulumi.interpolate`ip -n ${ns.name} address show dev lo`;
