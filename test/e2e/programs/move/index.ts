/**
 * A test program of one namespace, named by config `netns`: the TypeScript half of a stack that
 * e2e/yaml.test.ts then moves to Pulumi YAML.
 */
import * as pulumi from "@pulumi/pulumi";
import { NetNamespace } from "../../../../provider/index.js";

new NetNamespace("lab-ns", { name: new pulumi.Config().require("netns") });
