/**
 * How fast pulumi-netns builds, checks and tears down a star lab of N spokes, next to the shell
 * script one would otherwise write and next to the kernel's floor.
 *
 * Each spoke: a namespace, a veth pair to the hub, an address on each end, a route through the hub.
 * The hub is a namespace of its own with IPv4 forwarding on. Three ways, alternating, per size:
 *   (a) this project: `pulumi up`, an unchanged `pulumi preview` (refreshing), `pulumi destroy`;
 *   (b) the origin's way: one `ip` command per step, run one after another (a shell script);
 *   (c) the floor: the same lab through `ip -batch`, one process per namespace.
 * For (b) and (c), "check" reads every object back the same way (one command per object, or one
 * batch per namespace), which is what the refreshing preview does.
 *
 * For (a) it also samples, every 100 ms, the peak memory and the CPU time of the engine, of the
 * Node.js program and of the provider process: where pulumi's time goes.
 *
 * (a) runs the star program the way users run it: a Pulumi program in a folder of its own with the
 * `npm pack`ed package installed in its node_modules (so the state holds what it holds for them).
 *
 * Usage: node dist/bench/star.js [--sizes 10,50,100] [--runs 3] [--out bench-results.json]
 * Needs root and the toolchain directory in PULUMI_NETNS_TOOLCHAIN (scripts/bench sets both up).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir } from "node:os";
import path from "node:path";
import { makeUserProject, offlineEnv } from "../test/support/engine.js";

const repo = path.resolve(__dirname, "../..");
let project = "";

/** A user's star program: the examples/star program, with the library installed from npm pack. */
const program = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { StarLab } = require("pulumi-netns");
const config = new pulumi.Config();
const count = config.requireNumber("spokes");
const star = new StarLab("star", {
  prefix: config.require("prefix"),
  hubNetns: config.require("hubNetns"),
  spokes: Array.from({ length: count }, (_, i) => ({ name: \`spoke\${i}\`, subnet: \`10.3.\${i}.0/24\` })),
});
exports.spokes = star.spokes;
`;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const sizes = option("sizes", "10,50,100").split(",").map(Number);
const runs = Number(option("runs", "3"));
const out = option("out", path.join(repo, "bench-results.json"));
const toolchain = process.env.PULUMI_NETNS_TOOLCHAIN ?? "";
if (toolchain === "") throw new Error("PULUMI_NETNS_TOOLCHAIN is not set: run `npm run bench`");

const prefix = `b${process.pid.toString(36)}`.slice(0, 7);
const hub = `${prefix}hub`;

/** The lab's names and addresses, the same for all three ways. */
function spokes(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    netns: `${prefix}spoke${i}`,
    hubDevice: `${prefix}h${i}`,
    spokeDevice: `${prefix}s${i}`,
    hubAddress: `10.3.${i}.1/24`,
    spokeAddress: `10.3.${i}.2/24`,
    gateway: `10.3.${i}.1`,
  }));
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function ipBatch(netns: string | undefined, lines: string[], options: string[] = []): void {
  const args = [...options, ...(netns === undefined ? [] : ["-n", netns]), "-batch", "-"];
  execFileSync("ip", args, { input: `${lines.join("\n")}\n`, stdio: ["pipe", "ignore", "pipe"] });
}

function setForwarding(value: string): void {
  execFileSync("ip", ["netns", "exec", hub, "tee", "/proc/sys/net/ipv4/ip_forward"], {
    input: value,
    stdio: ["pipe", "ignore", "pipe"],
  });
}

function seconds(work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** (b) One `ip` command per step, as the origin's shell script does. */
const script = {
  build(n: number) {
    ip("netns", "add", hub);
    ip("-n", hub, "link", "set", "dev", "lo", "up");
    setForwarding("1");
    for (const s of spokes(n)) {
      ip("netns", "add", s.netns);
      ip("-n", s.netns, "link", "set", "dev", "lo", "up");
      ip("-n", hub, "link", "add", s.hubDevice, "type", "veth", "peer", "name", s.spokeDevice, "netns", s.netns);
      ip("-n", hub, "link", "set", "dev", s.hubDevice, "up");
      ip("-n", s.netns, "link", "set", "dev", s.spokeDevice, "up");
      ip("-n", hub, "address", "add", s.hubAddress, "dev", s.hubDevice);
      ip("-n", s.netns, "address", "add", s.spokeAddress, "dev", s.spokeDevice);
      ip("-n", s.netns, "route", "add", "default", "via", s.gateway, "dev", s.spokeDevice);
    }
  },
  check(n: number) {
    ip("-n", hub, "-json", "link", "show", "dev", "lo");
    for (const s of spokes(n)) {
      ip("-n", s.netns, "-json", "link", "show", "dev", "lo");
      ip("-n", hub, "-json", "link", "show", "dev", s.hubDevice);
      ip("-n", s.netns, "-json", "link", "show", "dev", s.spokeDevice);
      ip("-n", hub, "-json", "address", "show", "dev", s.hubDevice);
      ip("-n", s.netns, "-json", "address", "show", "dev", s.spokeDevice);
      ip("-n", s.netns, "-json", "route", "show", "exact", "default");
    }
  },
  teardown(n: number) {
    for (const s of spokes(n)) {
      ip("-n", hub, "link", "delete", "dev", s.hubDevice);
      ip("netns", "delete", s.netns);
    }
    setForwarding("0");
    ip("netns", "delete", hub);
  },
};

/** (c) The floor: `ip -batch`, one process per namespace. */
const batch = {
  build(n: number) {
    const all = spokes(n);
    ipBatch(undefined, [`netns add ${hub}`, ...all.map((s) => `netns add ${s.netns}`)]);
    ipBatch(hub, [
      "link set dev lo up",
      ...all.flatMap((s) => [
        `link add ${s.hubDevice} type veth peer name ${s.spokeDevice} netns ${s.netns}`,
        `link set dev ${s.hubDevice} up`,
        `address add ${s.hubAddress} dev ${s.hubDevice}`,
      ]),
    ]);
    setForwarding("1");
    for (const s of all) {
      ipBatch(s.netns, [
        "link set dev lo up",
        `link set dev ${s.spokeDevice} up`,
        `address add ${s.spokeAddress} dev ${s.spokeDevice}`,
        `route add default via ${s.gateway} dev ${s.spokeDevice}`,
      ]);
    }
  },
  check(n: number) {
    const all = spokes(n);
    ipBatch(hub, ["link show", "address show"], ["-json"]);
    for (const s of all) ipBatch(s.netns, ["link show", "address show", "route show"], ["-json"]);
  },
  teardown(n: number) {
    setForwarding("0");
    ipBatch(undefined, [...spokes(n).map((s) => `netns delete ${s.netns}`), `netns delete ${hub}`]);
  },
};

/** The processes of one `pulumi` command, by what they do. */
type Role = "engine" | "program" | "provider";

interface PulumiFigures {
  seconds: number;
  enginePeakMiB: number;
  providerPeakMiB: number;
  /** CPU seconds (user + system) of each role, as last sampled before each process ended. */
  cpuSeconds: Record<Role, number>;
}

/** What a process of a `pulumi` command does, from its command line; undefined for others. */
function roleOf(pid: number, root: number, cmdline: string): Role | undefined {
  if (pid === root) return "engine";
  if (cmdline.includes("dynamic-provider")) return "provider";
  if (cmdline.includes("@pulumi/pulumi/cmd/run")) return "program";
  return undefined;
}

/**
 * Runs the project's pulumi, sampling every 100 ms the peak RSS (VmHWM) and the CPU time of the
 * engine, the program and the provider process: all processes of the command's session.
 */
function pulumi(args: string[], env: Record<string, string>): Promise<PulumiFigures> {
  const start = process.hrtime.bigint();
  const child = spawn(path.join(toolchain, "pulumi"), args, {
    cwd: project,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c) => {
    output += c;
  });
  child.stderr.on("data", (c) => {
    output += c;
  });
  const root = child.pid as number;
  const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  const seen = new Map<number, { role: Role; cpu: number; peakMiB: number }>();
  const sample = setInterval(() => {
    for (const pid of readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .map(Number)) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(fields[3]) !== root) continue; // not in the command's session
        const role = roleOf(pid, root, readFileSync(`/proc/${pid}/cmdline`, "utf8"));
        if (role === undefined) continue;
        const cpu = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
        const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
        seen.set(pid, { role, cpu, peakMiB: Math.max(hwm, seen.get(pid)?.peakMiB ?? 0) });
      } catch {
        // gone meanwhile
      }
    }
  }, 100);
  return new Promise((resolve, reject) => {
    child.on("close", (code) => {
      clearInterval(sample);
      if (code !== 0) reject(new Error(`pulumi ${args.join(" ")} failed:\n${output.slice(-4000)}`));
      const all = [...seen.values()];
      const of = (role: Role) => all.filter((p) => p.role === role);
      const sum = (role: Role) => of(role).reduce((total, p) => total + p.cpu, 0);
      resolve({
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
        enginePeakMiB: Math.max(0, ...of("engine").map((p) => p.peakMiB)),
        providerPeakMiB: Math.max(0, ...of("provider").map((p) => p.peakMiB)),
        cpuSeconds: { engine: sum("engine"), program: sum("program"), provider: sum("provider") },
      });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Removes whatever a failed run left: the machine is left as it was found. */
function cleanup(): void {
  const listed = execFileSync("ip", ["-json", "netns", "list"], { encoding: "utf8" }).trim();
  const names = listed === "" ? [] : (JSON.parse(listed) as Array<{ name: string }>).map((e) => e.name);
  for (const name of names.filter((n) => n.startsWith(prefix))) ip("netns", "delete", name);
}

async function main(): Promise<void> {
  const home = mkdtempSync(path.join(tmpdir(), "pulumi-netns-bench-"));
  project = path.join(home, "project");
  mkdirSync(project);
  makeUserProject(project, "star-bench", program);
  const env = offlineEnv(home, toolchain);
  const stack = ["--stack", "bench", "--non-interactive"];
  /** A quick pulumi command of the set-up; a failure throws with pulumi's own words. */
  const pulumiSync = (...args: string[]) =>
    execFileSync(path.join(toolchain, "pulumi"), args, {
      cwd: project,
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
  const results: Record<string, unknown>[] = [];
  try {
    pulumiSync("stack", "init", "bench");
    for (const [key, value] of Object.entries({ prefix, hubNetns: hub }))
      pulumiSync("config", "set", key, value, ...stack);
    for (const n of sizes) {
      pulumiSync("config", "set", "spokes", String(n), ...stack);
      const figures = {
        a: { build: [], check: [], teardown: [], engine: [], provider: [] },
        b: { build: [], check: [], teardown: [] },
        c: { build: [], check: [], teardown: [] },
      } as Record<string, Record<string, number[]>>;
      // CPU seconds of pulumi's processes, by phase and role (cpu.build.engine is one figure a run).
      const cpu: Record<string, Record<Role, number[]>> = {};
      for (let run = 0; run < runs; run++) {
        const up = await pulumi(["up", "--yes", "--skip-preview", ...stack], env);
        const preview = await pulumi(["preview", "--refresh", "--expect-no-changes", ...stack], env);
        const down = await pulumi(["destroy", "--yes", "--skip-preview", ...stack], env);
        figures.a?.build?.push(up.seconds);
        figures.a?.check?.push(preview.seconds);
        figures.a?.teardown?.push(down.seconds);
        figures.a?.engine?.push(Math.max(up.enginePeakMiB, preview.enginePeakMiB, down.enginePeakMiB));
        figures.a?.provider?.push(Math.max(up.providerPeakMiB, preview.providerPeakMiB, down.providerPeakMiB));
        for (const [phase, figure] of [
          ["build", up],
          ["check", preview],
          ["teardown", down],
        ] as const) {
          cpu[phase] ??= { engine: [], program: [], provider: [] };
          for (const role of ["engine", "program", "provider"] as const) cpu[phase][role].push(figure.cpuSeconds[role]);
        }
        for (const [way, impl] of [
          ["b", script],
          ["c", batch],
        ] as const) {
          figures[way]?.build?.push(seconds(() => impl.build(n)));
          figures[way]?.check?.push(seconds(() => impl.check(n)));
          figures[way]?.teardown?.push(seconds(() => impl.teardown(n)));
        }
        process.stderr.write(`bench: N=${n} run ${run + 1}/${runs} done\n`);
      }
      const m = (way: string, what: string) => median(figures[way]?.[what] ?? []);
      const resources = 5 * n + 2; // per spoke: namespace, pair, 2 addresses, route; the hub and forwarding
      results.push({
        spokes: n,
        resources,
        runs,
        seconds: {
          pulumi: { build: m("a", "build"), check: m("a", "check"), teardown: m("a", "teardown") },
          script: { build: m("b", "build"), check: m("b", "check"), teardown: m("b", "teardown") },
          batch: { build: m("c", "build"), check: m("c", "check"), teardown: m("c", "teardown") },
        },
        ratios: {
          pulumiOverScript: {
            build: m("a", "build") / m("b", "build"),
            check: m("a", "check") / m("b", "check"),
            teardown: m("a", "teardown") / m("b", "teardown"),
          },
          pulumiOverBatch: {
            build: m("a", "build") / m("c", "build"),
            check: m("a", "check") / m("c", "check"),
            teardown: m("a", "teardown") / m("c", "teardown"),
          },
        },
        resourcesPerSecond: {
          pulumiUp: resources / m("a", "build"),
          script: resources / m("b", "build"),
          batch: resources / m("c", "build"),
        },
        peakMiB: {
          engine: Math.max(...(figures.a?.engine ?? [0])),
          provider: Math.max(...(figures.a?.provider ?? [0])),
        },
        cpuSeconds: Object.fromEntries(
          Object.entries(cpu).map(([phase, roles]) => [
            phase,
            Object.fromEntries(Object.entries(roles).map(([role, values]) => [role, median(values)])),
          ]),
        ),
        all: { ...figures, cpu },
      });
    }
  } finally {
    cleanup();
    try {
      pulumiSync("stack", "rm", "--yes", "--force", "bench");
    } catch {
      // no stack to remove
    }
    rmSync(home, { recursive: true, force: true });
  }
  const machine = { cores: cpus().length, kernel: release(), node: process.version };
  writeFileSync(out, `${JSON.stringify({ machine, results }, null, 2)}\n`);
  printTable(machine, results);
  console.log(`\nevery figure: ${out}`);
}

function printTable(machine: { cores: number; kernel: string }, results: Record<string, unknown>[]): void {
  const f = (x: number) => x.toFixed(2);
  console.log(`\nstar lab, medians of ${runs} runs; ${machine.cores} cores, Linux ${machine.kernel}`);
  console.log("N    | phase    | pulumi s | script s | batch s | a/b   | a/c");
  for (const r of results as Array<{
    spokes: number;
    seconds: Record<string, Record<string, number>>;
    ratios: Record<string, Record<string, number>>;
  }>) {
    for (const phase of ["build", "check", "teardown"]) {
      const s = r.seconds;
      console.log(
        `${String(r.spokes).padEnd(4)} | ${phase.padEnd(8)} | ${f(s.pulumi?.[phase] ?? 0).padStart(8)} | ${f(s.script?.[phase] ?? 0).padStart(8)} | ${f(s.batch?.[phase] ?? 0).padStart(7)} | ${f(r.ratios.pulumiOverScript?.[phase] ?? 0).padStart(5)} | ${f(r.ratios.pulumiOverBatch?.[phase] ?? 0).padStart(5)}`,
      );
    }
  }
  console.log("\nN    | resources/s: pulumi up | script | batch | peak MiB: engine | provider");
  for (const r of results as Array<{
    spokes: number;
    resourcesPerSecond: Record<string, number>;
    peakMiB: Record<string, number>;
  }>) {
    console.log(
      `${String(r.spokes).padEnd(4)} | ${f(r.resourcesPerSecond.pulumiUp ?? 0).padStart(22)} | ${f(r.resourcesPerSecond.script ?? 0).padStart(6)} | ${f(r.resourcesPerSecond.batch ?? 0).padStart(5)} | ${f(r.peakMiB.engine ?? 0).padStart(16)} | ${f(r.peakMiB.provider ?? 0).padStart(8)}`,
    );
  }
  console.log("\nwhere pulumi's time goes, CPU seconds (medians; `ip` processes not included)");
  console.log("N    | phase    | engine | program | provider");
  for (const r of results as Array<{ spokes: number; cpuSeconds: Record<string, Record<string, number>> }>) {
    for (const phase of ["build", "check", "teardown"]) {
      const c = r.cpuSeconds[phase] ?? {};
      console.log(
        `${String(r.spokes).padEnd(4)} | ${phase.padEnd(8)} | ${f(c.engine ?? 0).padStart(6)} | ${f(c.program ?? 0).padStart(7)} | ${f(c.provider ?? 0).padStart(8)}`,
      );
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
