/**
 * The `netns` package from Go, through the real engine and the Go language host: the Go SDK
 * generated from the package's schema (scripts/go-sdk), the routed lab's Go program built with the
 * Go toolchain, up, pinged, previewed clean and destroyed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { offlineEnv, repoRoot, toolchainDir } from "../support/engine.js";
import { ping, uniqueName } from "../support/kernel.js";
import { withLab } from "../support/lab.js";

const project = path.join(repoRoot, "examples/go-routed-lab");

describe("the netns package from Go", () => {
  it("generates the Go SDK, builds the routed lab's program, and brings it up: ns0 and ns1 ping each other", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "pulumi-netns-go-"));
    const sdk = path.join(project, "sdks");
    try {
      execFileSync(path.join(repoRoot, "scripts/go-sdk"), [path.join(sdk, "netns")], {
        cwd: project,
        env: { ...process.env, ...offlineEnv(home, toolchainDir()) },
        stdio: "ignore",
      });
      const prefix = uniqueName("yg").slice(0, 9);
      await withLab(project, { prefix }, prefix, async (stack) => {
        const up = await stack.up();
        assert.equal(up.summary.result, "succeeded");
        const host = `${prefix}host`;
        assert.deepEqual(up.outputs.namespaces?.value, { host, ns0: `${prefix}ns0`, ns1: `${prefix}ns1` });
        assert.ok(ping(`${prefix}ns0`, "10.1.20.2"), "ns0 -> ns1 through the host");
        assert.ok(ping(`${prefix}ns1`, "10.1.10.2"), "ns1 -> ns0 through the host");
        assert.equal(up.summary.resourceChanges?.create, 15, "every resource of the program is made");
      });
    } finally {
      rmSync(sdk, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
