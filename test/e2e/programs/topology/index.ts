/**
 * A test program: one Topology whose declaration is the `spec` config (JSON), with the `prefix`
 * config put before every namespace name.
 */
import * as pulumi from "@pulumi/pulumi";
import { Topology, type TopologySpec } from "../../../../src/index.js";

const config = new pulumi.Config();
const spec = config.requireObject<TopologySpec>("spec");
const lab = new Topology("topo", { ...spec, prefix: config.require("prefix") });

export const nodes = lab.nodes;
