/**
 * Killed runs: `pulumi up` and `pulumi destroy` of a 10-spoke star are killed with SIGKILL (the CLI
 * and every plugin it started) at points spread over their run, in both modes: with a checkpoint
 * per step (the default) and with PULUMI_SKIP_CHECKPOINTS=true, where a killed run leaves the state
 * as it was before it. After each kill, the documented recovery (scripts/recover: `pulumi cancel`,
 * `pulumi refresh --clear-pending-creates`, the sweep) must let `up` converge, and `destroy` must
 * leave the machine exactly as it was. Each point kills an `up` of a lab torn down, recovers and
 * converges, then kills a `destroy` of the lab that is up, recovers and destroys. And when the program changed between the kill and the
 * recovery, the sweep removes what the killed run made that the program no longer declares. The
 * bridged LAN (examples/lan, a Topology with two segments) is killed the same way, at fewer points, for
 * its bridges, ports and computed routes, its hosts files, its NAT rules and its web server: no
 * process, file or rule of the stack may be left. So is a lab over two hosts (fake ones, sshd in
 * namespaces of the test's: test/e2e/programs/two-hosts), in both modes: after the recovery `up`
 * converges and the tunnels carry traffic, and `destroy` leaves both hosts as they were.
 *
 * The host role is a namespace of the test's own; nothing here touches the root namespace.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { repoRoot, type TestStack, testStack, toolchainDir } from "../support/engine.js";
import { type FakeHost, type FakeHosts, fakeHosts, hostState, pings, twoHostsConfig } from "../support/fake-hosts.js";
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
  name: string;
  project: string;
  config: (prefix: string) => Record<string, string>;
  fractions: number[];
  /** The other hosts it is on, each to be left as it was found. */
  hosts?: FakeHost[];
  /** Whether the lab that is up carries traffic. */
  carries?: (prefix: string, stack: Stack) => Promise<boolean>;
}
const star: Lab = {
  name: "star",
  project,
  config: (prefix) => ({ prefix, hubNetns: `${prefix}hub`, spokes: KILLED_SPOKES }),
  fractions: FRACTIONS,
};
/**
 * The bridged LAN (examples/lan, a Topology): bridges, ports, routes, hosts files, a NAT router and
 * a web server, killed at fewer points (it is small).
 */
const lan: Lab = {
  name: "lan",
  project: path.join(repoRoot, "examples/lan"),
  config: (prefix) => ({ prefix }),
  fractions: [0.2, 0.5, 0.8],
};

/**
 * The Topology over two fake hosts (test/e2e/programs/two-hosts), killed at fewer points: it
 * carries traffic when h2 (on b) reaches h1 (on a) across the segment's tunnel, and h3 (on b)
 * reaches h2 through r (on a), across two.
 */
function overHosts(fake: FakeHosts): Lab {
  const [a, b] = fake.hosts as [FakeHost, FakeHost];
  return {
    name: "two hosts",
    project: path.join(repoRoot, "test/e2e/programs/two-hosts"),
    config: (prefix) => twoHostsConfig(fake, prefix),
    fractions: [0.3, 0.7],
    hosts: [a, b],
    carries: async (prefix, stack) => {
      const nodes = (await stack.outputs()).nodes?.value as Record<string, { interfaces: { addresses: string[] }[] }>;
      const addressOf = (node: string) => (nodes[node]?.interfaces[0]?.addresses[0] ?? "").split("/")[0] as string;
      return pings(b, `${prefix}h2`, addressOf("h1")) && pings(b, `${prefix}h3`, addressOf("h2"));
    },
  };
}

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
    it(`recover a lab over two hosts, its tunnels carrying traffic again, and leave both as found, with ${mode}`, async () => {
      const fake = await fakeHosts(2);
      try {
        await killPoints(overHosts(fake), mode, modeEnv);
      } finally {
        await fake.dispose();
      }
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

/** Fails the test with the end of the output of a command that failed. */
function ok(r: Run, what: string): void {
  assert.equal(r.code, 0, `${what} failed:\n${r.output.slice(-3000)}`);
}

/** A stack's `up` and `destroy` (each killed after `kill` ms if given), and the README's recovery. */
function commandsOf(project: string, stackName: string, env: Record<string, string>) {
  const pulumi = path.join(toolchainDir(), "pulumi");
  const stackArgs = ["--stack", stackName, "--non-interactive"];
  return {
    up: (kill?: number) => run(pulumi, ["up", "--yes", "--skip-preview", ...stackArgs], env, kill, project),
    destroy: (kill?: number) => run(pulumi, ["destroy", "--yes", "--skip-preview", ...stackArgs], env, kill, project),
    recover: () =>
      run(
        path.join(repoRoot, "scripts/recover"),
        stackArgs,
        { ...env, PULUMI_NETNS_TOOLCHAIN: toolchainDir() },
        undefined,
        project,
      ),
  };
}

/**
 * Kills `up`, then `destroy`, at every point of the lab's fractions, recovering after each kill:
 * the recovered `up` converges (and, where the lab says how, carries traffic), and the recovered
 * `destroy` leaves nothing of the stack. Each `destroy` is killed while the lab is up: the `up`
 * before it converged. A killed `up` follows a destroyed lab, so without checkpoints its state is
 * empty and only the ledgers (and, for hosts, this machine's roster) know what it made.
 */
async function killPoints(lab: Lab, mode: string, modeEnv: Record<string, string>): Promise<void> {
  const prefix = uniqueName("kp").slice(0, 8);
  let test: TestStack | undefined;
  const figures = { killPoints: 0, survived: 0, leaked: 0 };
  const hostsBefore = lab.hosts?.map(hostState);
  try {
    test = await testStack(lab.project, lab.config(prefix));
    const env = { ...test.env, ...modeEnv };
    const stackName = test.stack.name;
    const { up, destroy, recover } = commandsOf(lab.project, stackName, env);
    /** What of the stack is left here and, for a lab on hosts, what on them is not as it was. */
    const left = () => [
      ...leftOf(prefix, stackName),
      ...(lab.hosts ?? []).flatMap((host, i) => {
        const now = hostState(host);
        return JSON.stringify(now) === JSON.stringify(hostsBefore?.[i])
          ? []
          : [`${host.alias}: ${JSON.stringify(now)}`];
      }),
    ];

    // An uninterrupted run of each, to know how long they take.
    const fullUp = await up();
    ok(fullUp, "up");
    const fullDestroy = await destroy();
    ok(fullDestroy, "destroy");
    assert.deepEqual(left(), []);

    for (const fraction of lab.fractions) {
      figures.killPoints += 2;
      const upKilledAt = Math.round(fullUp.seconds * fraction * 1000);
      await up(upKilledAt);
      const converged = await recover().then((r) => (r.code === 0 ? up() : r));
      ok(converged, `up after a kill during up at ${upKilledAt} ms and the recovery`);
      if (lab.carries === undefined || (await lab.carries(prefix, test.stack))) figures.survived += 1;
      else console.log(`kill during up after ${upKilledAt} ms: the lab carries no traffic after the recovery`);

      const destroyKilledAt = Math.round(fullDestroy.seconds * fraction * 1000);
      const killed = await destroy(destroyKilledAt);
      const clean = await recover().then((r) => (r.code === 0 ? destroy() : r));
      const leftNow = left();
      figures.leaked += leftNow.length;
      if (clean.code === 0 && leftNow.length === 0) figures.survived += 1;
      else {
        console.log(
          `kill during destroy after ${destroyKilledAt} ms (exit ${killed.code}): left ${leftNow.join("; ")}`,
        );
        console.log(clean.output.slice(-3000));
      }
      // The next kill point starts from a torn-down lab even when this one failed.
      for (const ns of leftNow.filter((n) => !n.includes("/") && !n.includes(":"))) removeNamespace(ns);
    }
  } finally {
    console.log(
      `${lab.name}, ${mode}: kill points: ${figures.killPoints}, survived: ${figures.survived}, leaked objects: ${figures.leaked}`,
    );
    await test?.dispose().catch(() => undefined);
    cleanUp([prefix]);
  }
  assert.equal(figures.leaked, 0, "nothing leaked");
  assert.equal(figures.killPoints, 2 * lab.fractions.length);
  assert.equal(figures.survived, figures.killPoints, "every kill point recovered");
}
