/**
 * A test program: one Topology whose declaration is the `spec` config (JSON), with the `prefix`
 * config put before every namespace name.
 */
import * as pulumi from "@pulumi/pulumi";
import { Topology, type TopologyArgs } from "../../../../provider/index.js";

const config = new pulumi.Config();
const spec = config.requireObject<TopologyArgs>("spec");
const lab = new Topology("topo", { ...spec, prefix: config.require("prefix") });

export const nodes = lab.nodes;
