/**
 * Killed runs: `pulumi up` and `pulumi destroy` of a 20-spoke star are killed with SIGKILL (the CLI
 * and every plugin it started) at points spread over their run. After each kill, the documented
 * recovery (scripts/recover: `pulumi cancel`, then `pulumi refresh --clear-pending-creates`) must
 * let `up` converge, and `destroy` must leave the machine exactly as it was.
 *
 * The host role is a namespace of the test's own; nothing here touches the root namespace.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { repoRoot, type TestStack, testStack, toolchainDir } from "../support/engine.js";
import { journalFiles, killSession, namespaces, removeNamespace, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "examples/star");
const SPOKES = "20";
/** Where in each run the kills land, as fractions of an uninterrupted run's duration. */
const FRACTIONS = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85];

interface Run {
  code: number | null;
  output: string;
  seconds: number;
}

/** Runs a command in a session of its own; with `killAfter` (ms), SIGKILLs the whole session then. */
function run(file: string, args: string[], env: Record<string, string>, killAfter?: number): Promise<Run> {
  const started = process.hrtime.bigint();
  const child = spawn(file, args, { cwd: project, env: { ...process.env, ...env }, detached: true });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  // Bounded: an operation that has not finished after three minutes is killed and counts as failed.
  const timer = setTimeout(() => killSession(child.pid as number).catch(() => undefined), killAfter ?? 180_000);
  return new Promise((resolve) => {
    child.on("close", async (code) => {
      clearTimeout(timer);
      // Plugins outlive the CLI unless their session is killed too: make sure none is left.
      await killSession(child.pid as number);
      resolve({ code, output, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

/** The folders of FIFOs the Node language host makes in the temp folder; a killed one cannot remove its own. */
function languageHostPipes(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith("pulumi-node-pipes"));
}

describe("killed runs", () => {
  it("recover, converge and leave nothing behind at every kill point", async () => {
    const prefix = uniqueName("kp").slice(0, 8);
    const ours = () => [
      ...namespaces().filter((n) => n.startsWith(prefix)),
      ...journalFiles().filter((f) => f.includes(`/${prefix}hub/`)),
    ];
    const pulumi = path.join(toolchainDir(), "pulumi");
    let test: TestStack | undefined;
    const pipesBefore = new Set(languageHostPipes());
    const figures = { killPoints: 0, survived: 0, leaked: 0 };
    try {
      test = await testStack(project, { prefix, hubNetns: `${prefix}hub`, spokes: SPOKES });
      const { env } = test;
      const stackArgs = ["--stack", test.stack.name, "--non-interactive"];
      const up = (kill?: number) => run(pulumi, ["up", "--yes", "--skip-preview", ...stackArgs], env, kill);
      const destroy = (kill?: number) => run(pulumi, ["destroy", "--yes", "--skip-preview", ...stackArgs], env, kill);
      const recover = () =>
        run(path.join(repoRoot, "scripts/recover"), stackArgs, { ...env, PULUMI_NETNS_TOOLCHAIN: toolchainDir() });
      const ok = (r: Run, what: string) => assert.equal(r.code, 0, `${what} failed:\n${r.output.slice(-3000)}`);

      // An uninterrupted run of each, to know how long they take.
      const fullUp = await up();
      ok(fullUp, "up");
      const fullDestroy = await destroy();
      ok(fullDestroy, "destroy");
      assert.deepEqual(ours(), []);

      for (const fraction of FRACTIONS) {
        for (const [operation, full] of [
          ["up", fullUp],
          ["destroy", fullDestroy],
        ] as const) {
          figures.killPoints += 1;
          const killAfter = Math.round(full.seconds * fraction * 1000);
          const killed = await (operation === "up" ? up(killAfter) : destroy(killAfter));
          const recovered = await recover();
          // Converge to the declared state, then take it all down: both must work after the kill.
          const converged = recovered.code === 0 ? await up() : recovered;
          const clean = converged.code === 0 ? await destroy() : converged;
          const left = ours();
          figures.leaked += left.length;
          if (clean.code === 0 && left.length === 0) figures.survived += 1;
          else {
            console.log(
              `kill during ${operation} after ${killAfter} ms (exit ${killed.code}): left ${left.join(", ")}`,
            );
            console.log(clean.output.slice(-3000));
          }
          // The next kill point starts from a torn-down lab even when this one failed.
          for (const ns of left.filter((n) => !n.includes("/"))) removeNamespace(ns);
        }
      }
    } finally {
      console.log(
        `kill points: ${figures.killPoints}, survived: ${figures.survived}, leaked objects: ${figures.leaked}`,
      );
      await test?.dispose().catch(() => undefined);
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
      // What the killed language hosts left in the temp folder (their processes are all gone by now).
      for (const name of languageHostPipes().filter((n) => !pipesBefore.has(n))) {
        rmSync(path.join(tmpdir(), name), { recursive: true, force: true });
      }
    }
    assert.ok(figures.killPoints >= 10);
    assert.equal(figures.survived, figures.killPoints, "every kill point recovered");
    assert.equal(figures.leaked, 0, "nothing leaked");
  });
});
