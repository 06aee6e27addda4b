/**
 * The `netns` package from Go, through the real engine and the Go language host: the Go SDK
 * generated from the package's schema (scripts/go-sdk), the routed lab's Go program built with the
 * Go toolchain, up, pinged, previewed clean and destroyed.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { offlineEnv, repoRoot, toolchainDir } from "../support/engine.js";
import { uniqueName } from "../support/kernel.js";
import { assertRoutedLab, withLab } from "../support/lab.js";

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
        assertRoutedLab(await stack.up(), prefix);
      });
    } finally {
      rmSync(sdk, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
