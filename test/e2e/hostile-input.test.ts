/**
 * Hostile and malformed input, through the real engine: for each case `pulumi preview` and
 * `pulumi up` fail, the message names the resource, the property, the bad value and the rule, and
 * the machine's network state is exactly as before. Then the environment: no privileges, no `ip`,
 * a namespace that does not exist.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { repoRoot, type TestStack, testStack, toolchainDir } from "../support/engine.js";
import { cases } from "../support/hostile-cases.js";
import { machineState, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "test/e2e/programs/one-resource");

/** The message of a failed engine run, whatever shape the Automation API gave it. */
async function failureOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (e) {
    return String((e as Error).message);
  }
  throw new Error("the run succeeded, but it had to fail");
}

/**
 * How many cases run at once, each on a stack of its own. Every case fails in `check`, before
 * anything is made, so they cannot disturb each other's view of the machine. A case's time is the
 * engine and its plugins starting (3.7 s of CPU a run: the program 1.9, the provider 1.1 to 1.5,
 * the engine 0.6), twice; with 3 lanes the table took 587 s on two cores, with 6 it keeps both
 * busy and takes 447 s.
 */
const LANES = 6;

describe("hostile and malformed input", { concurrency: LANES }, () => {
  const stacks: TestStack[] = [];
  const free: TestStack[] = [];
  const waiting: Array<(test: TestStack) => void> = [];
  before(async () => {
    for (let i = 0; i < LANES; i++) {
      const test = await testStack(project, {
        case: JSON.stringify({ kind: "NetNamespace", args: { name: "unused" } }),
      });
      stacks.push(test);
      free.push(test);
    }
  });
  after(async () => {
    for (const test of stacks) await test.dispose();
  });

  /** Runs `body` on a stack no other case is using, waiting for one to be free. */
  async function onFreeStack(body: (stack: Stack) => Promise<void>): Promise<void> {
    const test = free.pop() ?? (await new Promise<TestStack>((resolve) => waiting.push(resolve)));
    try {
      await body(test.stack);
    } finally {
      const next = waiting.shift();
      if (next !== undefined) next(test);
      else free.push(test);
    }
  }

  it(`has at least 40 cases (${cases.length})`, () => assert.ok(cases.length >= 40));

  for (const c of cases) {
    it(`refuses ${c.what} at preview and at up, naming it, and changes nothing`, async () => {
      await onFreeStack(async (stack) => {
        const state = machineState();
        await stack.setConfig("case", { value: JSON.stringify({ kind: c.kind, args: c.args }) });
        for (const run of [() => stack.preview(), () => stack.up()]) {
          const message = await failureOf(run());
          assert.match(message, new RegExp(`dynamic/netns:${c.kind} resource 'bad'`), "names the resource");
          assert.match(message, new RegExp(`property ${c.property} value`), "names the property");
          assert.match(message, c.rule, "states the rule");
          if (c.shown !== "") assert.ok(message.includes(`got ${c.shown}`), `shows the bad value: got ${c.shown}`);
        }
        assert.deepEqual(machineState(), state, "nothing on the machine changed");
      });
    });
  }
});

describe("a hostile environment", () => {
  it("without privileges: up fails saying root or CAP_NET_ADMIN is needed, and nothing changes", async () => {
    const name = uniqueName("hp");
    const state = machineState();
    const test = await testStack(project, { case: JSON.stringify({ kind: "NetNamespace", args: { name } }) });
    try {
      // Root without any capability: what a user without CAP_NET_ADMIN/CAP_SYS_ADMIN has.
      const message = await failureOf(
        runCli(["up", "--yes", "--skip-preview", "--stack", test.stack.name], test.env, [
          "setpriv",
          "--bounding-set=-all",
          "--",
        ]),
      );
      assert.match(message, /ip netns add/);
      assert.match(message, /Operation not permitted/);
      assert.match(message, /needs root or CAP_NET_ADMIN/);
      assert.deepEqual(machineState(), state);
    } finally {
      await test.dispose();
    }
  });

  it("without ip on PATH: up fails saying to install iproute2, and nothing changes", async () => {
    const bin = mkdtempSync(path.join(tmpdir(), "pulumi-netns-noip-"));
    const name = uniqueName("hi");
    const state = machineState();
    const test = await testStack(project, { case: JSON.stringify({ kind: "NetNamespace", args: { name } }) });
    try {
      // A PATH with the toolchain and node, and no directory holding `ip`.
      mkdirSync(path.join(bin, "bin"));
      symlinkSync(process.execPath, path.join(bin, "bin", "node"));
      const env = { ...test.env, PATH: `${toolchainDir()}:${path.join(bin, "bin")}` };
      const message = await failureOf(runCli(["up", "--yes", "--skip-preview", "--stack", test.stack.name], env));
      assert.match(message, /Could not run `ip`/);
      assert.match(message, /Install iproute2/);
      assert.deepEqual(machineState(), state);
    } finally {
      await test.dispose();
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("with a namespace that does not exist: up fails naming it, and nothing changes", async () => {
    const missing = uniqueName("hm");
    const state = machineState();
    const test = await testStack(project, {
      case: JSON.stringify({ kind: "IpAddress", args: { address: "10.1.10.2/24", device: "hv0", netns: missing } }),
    });
    try {
      const message = await failureOf(test.stack.up());
      assert.match(message, new RegExp(`Cannot open network namespace "${missing}"`));
      assert.match(message, new RegExp(`ip -n ${missing} address add 10\\.1\\.10\\.2/24 dev hv0`));
      assert.deepEqual(machineState(), state);
    } finally {
      await test.dispose();
    }
  });
});

/** Runs the stack's pulumi CLI directly (optionally behind a wrapper like setpriv); rejects on failure. */
async function runCli(args: string[], env: Record<string, string>, wrapper: string[] = []): Promise<string> {
  const pulumi = path.join(toolchainDir(), "pulumi");
  const [file, ...rest] = [...wrapper, pulumi, ...args];
  try {
    return execFileSync(file as string, rest, {
      cwd: project,
      env: { ...process.env, ...env },
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (e) {
    const { stdout = "", stderr = "" } = e as { stdout?: string; stderr?: string };
    throw new Error(`${stdout}\n${stderr}`);
  }
}
