/**
 * The package as users get it: `npm pack`, installed into a Pulumi program outside this repository,
 * creates and destroys a namespace through the real engine.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { makeUserProject, testStack } from "../support/engine.js";
import { namespaceExists, removeNamespace, uniqueName } from "../support/kernel.js";

// A user's own program: the StarLab component composed with a resource of its own.
const program = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { NetNamespace, StarLab } = require("pulumi-netns");
const config = new pulumi.Config();
const prefix = config.require("prefix");
const star = new StarLab("star", {
  prefix,
  hubNetns: prefix + "hub",
  spokes: [
    { name: "left", subnet: "10.4.1.0/24" },
    { name: "right", subnet: "10.4.2.0/24" },
  ],
});
const extra = new NetNamespace("extra", { name: prefix + "extra" });
exports.spokes = star.spokes;
exports.mermaid = star.mermaid;
exports.extra = extra.name;
`;

describe("the packed package", () => {
  it("composes into a program outside the repository, which builds a routed star and destroys it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pulumi-netns-consumer-"));
    const prefix = uniqueName("pk").slice(0, 9);
    const made = ["hub", "left", "right", "extra"].map((n) => `${prefix}${n}`);
    try {
      makeUserProject(dir, "consumer", program);

      const { stack, dispose } = await testStack(dir, { prefix });
      try {
        const up = await stack.up();
        for (const ns of made) assert.ok(namespaceExists(ns), `pulumi up created ${ns}`);
        const [left, right] = (up.outputs.spokes?.value ?? []) as Array<{ netns: string; spokeAddress: string }>;
        assert.ok(left && right);
        execFileSync("ip", [
          "netns",
          "exec",
          left.netns,
          "ping",
          "-c",
          "1",
          "-W",
          "2",
          right.spokeAddress.split("/")[0] as string,
        ]);
        assert.match(up.outputs.mermaid?.value, new RegExp(`^flowchart LR\\n  hub\\["hub: ${prefix}hub`));
        // An installed package's forwarders are stored as a require of the package, not as code.
        const deployment = await stack.exportStack();
        const providers = (deployment.deployment?.resources ?? [])
          .map((r: { inputs?: { __provider?: string } }) => r.inputs?.__provider)
          .filter((text: string | undefined): text is string => text !== undefined);
        // The star's three namespaces, two veth pairs and three NetnsConfigs, and the program's own namespace.
        assert.equal(providers.length, 9);
        for (const text of providers) {
          assert.match(text, /require\("pulumi-netns\/[^"]*forwarders\//);
          assert.ok(text.length < 600, `__provider is ${text.length} characters`);
        }
        await stack.destroy();
        for (const ns of made) assert.equal(namespaceExists(ns), false, `pulumi destroy removed ${ns}`);
      } finally {
        await dispose();
      }
    } finally {
      for (const ns of made) removeNamespace(ns);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
