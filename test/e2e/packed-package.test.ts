/**
 * The package as users get it: `npm pack`, installed into a Pulumi program outside this repository,
 * creates and destroys a namespace through the real engine.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { repoRoot, testStack } from "../support/engine.js";
import { namespaceExists, removeNamespace, uniqueName } from "../support/kernel.js";

const program = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { NetNamespace } = require("pulumi-netns");
const ns = new NetNamespace("packed", { name: new pulumi.Config().require("name") });
exports.netns = ns.name;
`;

describe("the packed package", () => {
  it("works from a program outside the repository", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pulumi-netns-consumer-"));
    const name = uniqueName();
    try {
      const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], {
        cwd: repoRoot,
        encoding: "utf8",
      })
        .trim()
        .split("\n")
        .pop() as string;
      const ours = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));
      writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({
          name: "consumer",
          private: true,
          dependencies: {
            "pulumi-netns": `file:./${tarball}`,
            "@pulumi/pulumi": ours.dependencies["@pulumi/pulumi"],
          },
        }),
      );
      writeFileSync(path.join(dir, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\nmain: index.js\n");
      writeFileSync(path.join(dir, "index.js"), program);
      execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
        cwd: dir,
        stdio: "inherit",
      });

      const { stack, dispose } = await testStack(dir, { name });
      try {
        const up = await stack.up();
        assert.equal(up.outputs.netns?.value, name);
        assert.ok(namespaceExists(name), "pulumi up created the namespace");
        await stack.destroy();
        assert.equal(namespaceExists(name), false, "pulumi destroy removed it");
      } finally {
        await dispose();
      }
    } finally {
      removeNamespace(name);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
