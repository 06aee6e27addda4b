/**
 * Killed runs: `pulumi up` and `pulumi destroy` of a 10-spoke star are killed with SIGKILL (the CLI
 * and every plugin it started) at points spread over their run, in both modes: with a checkpoint
 * per step (the default) and with PULUMI_SKIP_CHECKPOINTS=true, where a killed run leaves the state
 * as it was before it. After each kill, the documented recovery (scripts/recover: `pulumi cancel`,
 * `pulumi refresh --clear-pending-creates`, the sweep) must let `up` converge, and `destroy` must
 * leave the machine exactly as it was. And when the program changed between the kill and the
 * recovery, the sweep removes what the killed run made that the program no longer declares. The
 * bridged LAN (examples/lan, a Topology with two segments) is killed the same way, at fewer points, for
 * its bridges, ports and computed routes, its hosts files, its NAT rules and its web server: no
 * process, file or rule of the stack may be left.
 *
 * The host role is a namespace of the test's own; nothing here touches the root namespace.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { repoRoot, type TestStack, testStack, toolchainDir } from "../support/engine.js";
import {
  filesUnder,
  journalFiles,
  killSession,
  namespaces,
  removeNamespace,
  sessionProcesses,
  stackProcesses,
  uniqueName,
} from "../support/kernel.js";

const project = path.join(repoRoot, "examples/star");
/**
 * The star the kill points run on. Ten spokes are 42 resources, each kind of them many times over:
 * the kills land among steps of every kind as they did at twenty, in half the time.
 */
const KILLED_SPOKES = "10";
/** The star of the cases that need more made than declared (20), or a second stack beside it (40). */
const SPOKES = "20";
/** Where in each run the kills land, as fractions of an uninterrupted run's duration. */
const FRACTIONS = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85];

/** A lab the kill points run on: its project folder, the config of a stack with `prefix`, where the kills land. */
interface Lab {
  project: string;
  config: (prefix: string) => Record<string, string>;
  fractions: number[];
}
const star: Lab = {
  project,
  config: (prefix) => ({ prefix, hubNetns: `${prefix}hub`, spokes: KILLED_SPOKES }),
  fractions: FRACTIONS,
};
/**
 * The bridged LAN (examples/lan, a Topology): bridges, ports, routes, hosts files, a NAT router and
 * a web server, killed at fewer points (it is small).
 */
const lan: Lab = {
  project: path.join(repoRoot, "examples/lan"),
  config: (prefix) => ({ prefix }),
  fractions: [0.2, 0.5, 0.8],
};

interface Run {
  code: number | null;
  output: string;
  seconds: number;
}

/**
 * Runs a command in `cwd` (a Pulumi project), in a session of its own; with `killAfter` (ms),
 * SIGKILLs the whole session then.
 */
function run(
  file: string,
  args: string[],
  env: Record<string, string>,
  killAfter?: number,
  cwd = project,
): Promise<Run> {
  const started = process.hrtime.bigint();
  const child = spawn(file, args, { cwd, env: { ...process.env, ...env }, detached: true });
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

/** Removes the namespaces with the prefixes that a test of these left. */
function cleanUp(prefixes: string[]): void {
  for (const ns of namespaces().filter((n) => prefixes.some((p) => n.startsWith(p)))) removeNamespace(ns);
}

/** What each mode adds to the environment of the stack's pulumi commands. */
const modes = { "a checkpoint per step": {}, "PULUMI_SKIP_CHECKPOINTS=true": { PULUMI_SKIP_CHECKPOINTS: "true" } };

/**
 * What of a stack is on the machine: its namespaces, its sysctl records and notes, its ledger, its
 * processes and their logs, and its namespaces' own files.
 */
function leftOf(prefix: string, stackName: string): string[] {
  return [
    ...namespaces().filter((n) => n.startsWith(prefix)),
    ...journalFiles().filter(
      (f) =>
        f.includes(`/${prefix}`) ||
        f.includes(encodeURIComponent(`/${prefix}`)) ||
        f.includes(encodeURIComponent(`/${stackName}`)),
    ),
    ...stackProcesses(stackName).map((pid) => `process ${pid}`),
    ...filesUnder("/var/log/pulumi-netns").filter((f) => f.includes(encodeURIComponent(`/${stackName}:`))),
    ...filesUnder("/etc/netns").filter((f) => f.startsWith(prefix)),
  ];
}

/**
 * Two cases at a time: each has its own stack, backend and prefix, and looks only at what carries
 * them, so neither sees the other. An engine run keeps about one core busy; two use the machine.
 */
describe("killed runs", { concurrency: 2 }, () => {
  // What the killed language hosts left in the temp folder, removed once every case is over: a
  // case still running has live ones there.
  let pipesBefore = new Set<string>();
  before(() => {
    pipesBefore = new Set(languageHostPipes());
  });
  after(() => {
    for (const name of languageHostPipes().filter((n) => !pipesBefore.has(n))) {
      rmSync(path.join(tmpdir(), name), { recursive: true, force: true });
    }
  });

  for (const [mode, modeEnv] of Object.entries(modes)) {
    it(`recover, converge and leave nothing behind at every kill point, with ${mode}`, async () => {
      await killPoints(star, mode, modeEnv);
    });
    it(`recover a bridged LAN the same way, with ${mode}`, async () => {
      await killPoints(lan, mode, modeEnv);
    });
  }

  it("are recovered without stopping another stack's run of the same project and backend", async () => {
    const [prefixA, prefixB] = [uniqueName("ka").slice(0, 8), uniqueName("kb").slice(0, 8)];
    const pulumi = path.join(toolchainDir(), "pulumi");
    let test: TestStack | undefined;
    let upB: Promise<Run> | undefined;
    const other = `${uniqueName("other")}`;
    try {
      test = await testStack(project, { prefix: prefixA, hubNetns: `${prefixA}hub`, spokes: SPOKES });
      const { env } = test;
      const a = ["--stack", test.stack.name, "--non-interactive"];
      const b = ["--stack", other, "--non-interactive"];
      const ok = (r: Run, what: string) => assert.equal(r.code, 0, `${what} failed:\n${r.output.slice(-3000)}`);
      ok(await run(pulumi, ["stack", "init", ...b], env), "stack init");
      for (const [key, value] of Object.entries({ prefix: prefixB, hubNetns: `${prefixB}hub`, spokes: "40" })) {
        ok(await run(pulumi, ["config", "set", key, value, ...b], env), "config set");
      }
      // B's up goes on throughout; A's CLI alone is killed mid-up, so A's plugins are left running.
      upB = run(pulumi, ["up", "--yes", "--skip-preview", ...b], env);
      const upA = spawn(pulumi, ["up", "--yes", "--skip-preview", ...a], {
        cwd: project,
        env: { ...process.env, ...env },
        detached: true,
        stdio: "ignore",
      });
      const sessionA = upA.pid as number;
      // Killed once A's provider is at work (its first namespace is there), not at a fixed time: a
      // CLI killed before its plugins started leaves a language host that soon ends by itself.
      for (let waited = 0; !namespaces().some((n) => n.startsWith(prefixA)); waited += 100) {
        assert.ok(waited < 60_000, "A's up made nothing in a minute");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      process.kill(sessionA, "SIGKILL");
      await new Promise((resolve) => upA.on("close", resolve));
      assert.ok(sessionProcesses(sessionA).length > 0, "A's plugins outlived its CLI");

      const recovered = await run(path.join(repoRoot, "scripts/recover"), a, {
        ...env,
        PULUMI_NETNS_TOOLCHAIN: toolchainDir(),
      });
      ok(recovered, "recover");
      assert.match(recovered.output, /stopped [1-9]\d* plugin process\(es\)/);
      assert.deepEqual(sessionProcesses(sessionA), [], "A's plugins are stopped");
      ok(await upB, "B's up, which ran on meanwhile");
      ok(await run(pulumi, ["up", "--yes", "--skip-preview", ...a], env), "A's up after the recovery");
      for (const stack of [a, b])
        ok(await run(pulumi, ["destroy", "--yes", "--skip-preview", ...stack], env), "destroy");
      assert.deepEqual(leftOf(prefixA, test.stack.name), []);
      assert.deepEqual(leftOf(prefixB, other), []);
    } finally {
      // B's up, if an assertion cut the test short, ends (or is killed) before what it made is removed.
      await upB;
      if (test !== undefined) {
        await run(pulumi, ["destroy", "--yes", "--skip-preview", "--stack", other, "--non-interactive"], test.env);
        await run(pulumi, ["stack", "rm", "--yes", "--force", "--stack", other], test.env);
      }
      await test?.dispose().catch(() => undefined);
      cleanUp([prefixA, prefixB]);
    }
  });

  it("leave nothing behind when the program changed before the recovery, without checkpoints", async () => {
    const prefix = uniqueName("kc").slice(0, 8);
    const pulumi = path.join(toolchainDir(), "pulumi");
    let test: TestStack | undefined;
    try {
      test = await testStack(project, { prefix, hubNetns: `${prefix}hub`, spokes: SPOKES });
      const stackName = test.stack.name;
      const env = { ...test.env, PULUMI_SKIP_CHECKPOINTS: "true" };
      const stackArgs = ["--stack", stackName, "--non-interactive"];
      const up = (kill?: number) => run(pulumi, ["up", "--yes", "--skip-preview", ...stackArgs], env, kill);
      const ok = (r: Run, what: string) => assert.equal(r.code, 0, `${what} failed:\n${r.output.slice(-3000)}`);
      const ourNamespaces = () => namespaces().filter((n) => n.startsWith(prefix));

      const full = await up();
      ok(full, "up");
      ok(await run(pulumi, ["destroy", "--yes", "--skip-preview", ...stackArgs], env), "destroy");
      // Killed late in a first up: the state stays empty, the machine holds most of the star.
      await up(Math.round(full.seconds * 0.8 * 1000));
      const made = ourNamespaces().length;
      assert.ok(made > 6, `the killed run made more than the changed program declares (${made} namespaces)`);

      // The program changes (5 spokes instead of 20) before the recovery.
      await test.stack.setConfig("spokes", { value: "5" });
      const recovered = await run(path.join(repoRoot, "scripts/recover"), stackArgs, {
        ...env,
        PULUMI_NETNS_TOOLCHAIN: toolchainDir(),
      });
      ok(recovered, "recover");
      assert.match(recovered.output, /sweep of pulumi-netns-star\/\S+: \d+ object\(s\)/);
      ok(await up(), "up after the recovery");
      assert.deepEqual(
        ourNamespaces().sort(),
        [`${prefix}hub`, ...[0, 1, 2, 3, 4].map((i) => `${prefix}spoke${i}`)].sort(),
      );
      ok(await run(pulumi, ["destroy", "--yes", "--skip-preview", ...stackArgs], env), "destroy");
      assert.deepEqual(leftOf(prefix, stackName), [], "nothing left");
    } finally {
      await test?.dispose().catch(() => undefined);
      cleanUp([prefix]);
    }
  });
});

/** Kills `up` and `destroy` at every point of the lab's fractions, recovers, converges and tears down. */
async function killPoints(lab: Lab, mode: string, modeEnv: Record<string, string>): Promise<void> {
  const prefix = uniqueName("kp").slice(0, 8);
  const pulumi = path.join(toolchainDir(), "pulumi");
  let test: TestStack | undefined;
  const figures = { killPoints: 0, survived: 0, leaked: 0 };
  try {
    test = await testStack(lab.project, lab.config(prefix));
    const env = { ...test.env, ...modeEnv };
    const stackName = test.stack.name;
    const ours = () => leftOf(prefix, stackName);
    const stackArgs = ["--stack", test.stack.name, "--non-interactive"];
    const up = (kill?: number) => run(pulumi, ["up", "--yes", "--skip-preview", ...stackArgs], env, kill, lab.project);
    const destroy = (kill?: number) =>
      run(pulumi, ["destroy", "--yes", "--skip-preview", ...stackArgs], env, kill, lab.project);
    const recover = () =>
      run(
        path.join(repoRoot, "scripts/recover"),
        stackArgs,
        { ...env, PULUMI_NETNS_TOOLCHAIN: toolchainDir() },
        undefined,
        lab.project,
      );
    const ok = (r: Run, what: string) => assert.equal(r.code, 0, `${what} failed:\n${r.output.slice(-3000)}`);

    // An uninterrupted run of each, to know how long they take.
    const fullUp = await up();
    ok(fullUp, "up");
    const fullDestroy = await destroy();
    ok(fullDestroy, "destroy");
    assert.deepEqual(ours(), []);

    for (const fraction of lab.fractions) {
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
          console.log(`kill during ${operation} after ${killAfter} ms (exit ${killed.code}): left ${left.join(", ")}`);
          console.log(clean.output.slice(-3000));
        }
        // The next kill point starts from a torn-down lab even when this one failed.
        for (const ns of left.filter((n) => !n.includes("/"))) removeNamespace(ns);
      }
    }
  } finally {
    console.log(
      `${mode}: kill points: ${figures.killPoints}, survived: ${figures.survived}, leaked objects: ${figures.leaked}`,
    );
    await test?.dispose().catch(() => undefined);
    cleanUp([prefix]);
  }
  assert.equal(figures.killPoints, 2 * lab.fractions.length);
  assert.equal(figures.survived, figures.killPoints, "every kill point recovered");
  assert.equal(figures.leaked, 0, "nothing leaked");
}
