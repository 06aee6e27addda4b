/**
 * How fast pulumi-netns builds, checks and tears down a star lab of N spokes, next to the shell
 * script one would otherwise write and next to the kernel's floor.
 *
 * Each spoke: a namespace, a veth pair to the hub, an address on each end, a route through the hub.
 * The hub is a namespace of its own with IPv4 forwarding on. Three ways, alternating, per size:
 *   (a) this project: `pulumi up`, an unchanged `pulumi preview` (refreshing), `pulumi destroy`, in
 *       each mode asked for: `default` (the project's settings) and `fast` (the same with
 *       PULUMI_SKIP_CHECKPOINTS=true: what the engine costs without a checkpoint per step);
 *   (b) the origin's way: a bash script the benchmark writes, one `ip` command per line, torn down
 *       with one `ip netns delete` per namespace (the links go with them);
 *   (c) the floor: the same lab through `ip -batch`, one process per namespace.
 * For (b) and (c), "check" reads every object back the same way (one command per object, or one
 * batch per namespace), which is what the refreshing preview does. Between the two largest sizes
 * it reports how each phase grows: the ratio and the exponent k of time ~ N^k.
 *
 * For (a) it also samples, every 100 ms, the peak memory and the CPU time of the engine, of the
 * Node.js program, of the provider process and of its launcher (the small process that starts its
 * `ip` commands): where pulumi's time goes.
 *
 * (a) runs the star program the way users run it: a Pulumi program in a folder of its own with the
 * `npm pack`ed package installed in its node_modules (so the state holds what it holds for them).
 *
 * Usage: node dist/bench/star.js [--sizes 10,50,100,200,400] [--runs 3] [--once-above 50]
 *        [--modes default,fast,checked] [--out bench-results.json]
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
  spokes: Array.from({ length: count }, (_, i) => ({ name: \`spoke\${i}\`, subnet: \`10.\${3 + (i >> 8)}.\${i & 255}.0/24\` })),
  // The "checked" mode: each spoke checks that it reaches the hub.
  checks: config.getBoolean("checks") ? Array.from({ length: count }, (_, i) => [\`spoke\${i}\`, "hub"]) : undefined,
});
exports.spokes = star.spokes;
`;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const sizes = option("sizes", "10,50,100,200,400").split(",").map(Number);
const runs = Number(option("runs", "3"));
/** Sizes above this run once: their runs take minutes, and vary less. */
const onceAbove = Number(option("once-above", "50"));
const modes = option("modes", "default,fast,checked").split(",") as Mode[];
type Mode = "default" | "fast" | "checked";
/**
 * What each mode adds to the project's own pulumi settings. `checked` is `default` with a
 * Reachability check per spoke (spoke to hub), the lab checking itself on every refresh.
 */
const modeEnv: Record<Mode, Record<string, string>> = {
  default: {},
  fast: { PULUMI_SKIP_CHECKPOINTS: "true" },
  checked: {},
};
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
    hubAddress: `10.${3 + (i >> 8)}.${i & 255}.1/24`,
    spokeAddress: `10.${3 + (i >> 8)}.${i & 255}.2/24`,
    gateway: `10.${3 + (i >> 8)}.${i & 255}.1`,
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

/**
 * (b) The origin's way: a bash script, one `ip` command per line, as a user writes it. The
 * benchmark writes it into `dir` (the names are its own, letters and digits) and runs it with bash.
 */
const script = {
  dir: "",
  run(name: string, lines: string[]): void {
    const file = path.join(this.dir, `${name}.sh`);
    writeFileSync(file, ["#!/usr/bin/env bash", "set -e", ...lines, ""].join("\n"));
    execFileSync("bash", [file], { stdio: ["ignore", "ignore", "pipe"] });
  },
  build(n: number) {
    this.run("build", [
      `ip netns add ${hub}`,
      `ip -n ${hub} link set dev lo up`,
      `echo 1 | ip netns exec ${hub} tee /proc/sys/net/ipv4/ip_forward >/dev/null`,
      ...spokes(n).flatMap((s) => [
        `ip netns add ${s.netns}`,
        `ip -n ${s.netns} link set dev lo up`,
        `ip -n ${hub} link add ${s.hubDevice} type veth peer name ${s.spokeDevice} netns ${s.netns}`,
        `ip -n ${hub} link set dev ${s.hubDevice} up`,
        `ip -n ${s.netns} link set dev ${s.spokeDevice} up`,
        `ip -n ${hub} address add ${s.hubAddress} dev ${s.hubDevice}`,
        `ip -n ${s.netns} address add ${s.spokeAddress} dev ${s.spokeDevice}`,
        `ip -n ${s.netns} route add default via ${s.gateway} dev ${s.spokeDevice}`,
      ]),
    ]);
  },
  check(n: number) {
    this.run("check", [
      `ip -n ${hub} -json link show dev lo`,
      ...spokes(n).flatMap((s) => [
        `ip -n ${s.netns} -json link show dev lo`,
        `ip -n ${hub} -json link show dev ${s.hubDevice}`,
        `ip -n ${s.netns} -json link show dev ${s.spokeDevice}`,
        `ip -n ${hub} -json address show dev ${s.hubDevice}`,
        `ip -n ${s.netns} -json address show dev ${s.spokeDevice}`,
        `ip -n ${s.netns} -json route show exact default`,
      ]),
    ]);
  },
  teardown(n: number) {
    this.run("teardown", [...spokes(n).map((s) => `ip netns delete ${s.netns}`), `ip netns delete ${hub}`]);
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

/** The processes of one `pulumi` command, by what they do; the launcher starts the provider's `ip`s. */
const roles = ["engine", "program", "provider", "launcher"] as const;
type Role = (typeof roles)[number];

interface PulumiFigures {
  seconds: number;
  /** The peak RSS (VmHWM) of each role, its largest process. */
  peakMiB: Record<Role, number>;
  /** CPU seconds (user + system) of each role, as last sampled before each process ended. */
  cpuSeconds: Record<Role, number>;
}

/** What a process of a `pulumi` command does, from its command line; undefined for others. */
function roleOf(pid: number, root: number, cmdline: string): Role | undefined {
  if (pid === root) return "engine";
  if (cmdline.includes("dynamic-provider")) return "provider";
  if (cmdline.includes("pulumi-netns/dist/provider/machine/launcher.js")) return "launcher";
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
        peakMiB: byRole((role) => Math.max(0, ...of(role).map((p) => p.peakMiB))),
        cpuSeconds: byRole(sum),
      });
    });
  });
}

/** One value per role. */
function byRole<T>(value: (role: Role) => T): Record<Role, T> {
  return Object.fromEntries(roles.map((role) => [role, value(role)])) as Record<Role, T>;
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

type Phase = "build" | "check" | "teardown";
const phases: Phase[] = ["build", "check", "teardown"];

/** The medians of one size: pulumi in each mode, the script and the batch. */
interface SizeResult {
  spokes: number;
  resources: number;
  runs: number;
  seconds: Record<string, Record<Phase, number>>;
  /** Each run's seconds, per way and phase. */
  everyRun: Record<string, Record<Phase, number[]>>;
  /** pulumi's time over the script's and the batch's, per mode and phase. */
  ratios: Record<string, { overScript: Record<Phase, number>; overBatch: Record<Phase, number> }>;
  resourcesPerSecond: Record<string, number>;
  peakMiB: Record<string, Record<Role, number>>;
  cpuSeconds: Record<string, Record<Phase, Record<Role, number>>>;
}

async function main(): Promise<void> {
  const home = mkdtempSync(path.join(tmpdir(), "pulumi-netns-bench-"));
  project = path.join(home, "project");
  script.dir = path.join(home, "script");
  mkdirSync(project);
  mkdirSync(script.dir);
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
  const results: SizeResult[] = [];
  try {
    pulumiSync("stack", "init", "bench");
    for (const [key, value] of Object.entries({ prefix, hubNetns: hub }))
      pulumiSync("config", "set", key, value, ...stack);
    for (const n of sizes) {
      pulumiSync("config", "set", "spokes", String(n), ...stack);
      const runsOfSize = n > onceAbove ? 1 : runs;
      // Every figure of every run: times[way][phase], where a way is a mode of pulumi, "script" or "batch".
      const times: Record<string, Record<Phase, number[]>> = {};
      const peaks: Record<string, Record<Role, number[]>> = {};
      const cpu: Record<string, Record<Phase, Record<Role, number[]>>> = {};
      const record = (way: string, phase: Phase, value: number) => {
        times[way] ??= { build: [], check: [], teardown: [] };
        times[way][phase].push(value);
      };
      for (let run = 0; run < runsOfSize; run++) {
        for (const mode of modes) {
          pulumiSync("config", "set", "checks", String(mode === "checked"), ...stack);
          const modeEnvironment = { ...env, ...modeEnv[mode] };
          const up = await pulumi(["up", "--yes", "--skip-preview", ...stack], modeEnvironment);
          const preview = await pulumi(["preview", "--refresh", "--expect-no-changes", ...stack], modeEnvironment);
          const down = await pulumi(["destroy", "--yes", "--skip-preview", ...stack], modeEnvironment);
          peaks[mode] ??= byRole(() => []);
          for (const role of roles)
            peaks[mode][role].push(Math.max(up.peakMiB[role], preview.peakMiB[role], down.peakMiB[role]));
          for (const [phase, figure] of [
            ["build", up],
            ["check", preview],
            ["teardown", down],
          ] as const) {
            record(mode, phase, figure.seconds);
            cpu[mode] ??= {} as Record<Phase, Record<Role, number[]>>;
            cpu[mode][phase] ??= byRole(() => []);
            for (const role of roles) cpu[mode][phase][role].push(figure.cpuSeconds[role]);
          }
        }
        for (const [way, impl] of [
          ["script", script],
          ["batch", batch],
        ] as const) {
          for (const phase of phases)
            record(
              way,
              phase,
              seconds(() => impl[phase](n)),
            );
        }
        process.stderr.write(`bench: N=${n} run ${run + 1}/${runsOfSize} done\n`);
      }
      const med = (way: string) =>
        Object.fromEntries(phases.map((phase) => [phase, median(times[way]?.[phase] ?? [])])) as Record<Phase, number>;
      const medians = Object.fromEntries([...modes, "script", "batch"].map((way) => [way, med(way)]));
      const over = (mode: string, base: string) =>
        Object.fromEntries(phases.map((p) => [p, (medians[mode]?.[p] ?? 0) / (medians[base]?.[p] ?? 1)])) as Record<
          Phase,
          number
        >;
      const resources = 5 * n + 2; // per spoke: namespace, pair, 2 addresses, route; the hub and forwarding
      results.push({
        spokes: n,
        resources,
        runs: runsOfSize,
        seconds: medians,
        // Every run's figure, not only the medians: the spread says how far to trust a difference.
        everyRun: times,
        ratios: Object.fromEntries(
          modes.map((m) => [m, { overScript: over(m, "script"), overBatch: over(m, "batch") }]),
        ),
        resourcesPerSecond: Object.fromEntries(
          // The checked mode has one resource more per spoke: its check.
          [...modes, "script", "batch"].map((way) => [
            way,
            (resources + (way === "checked" ? n : 0)) / (medians[way]?.build ?? 1),
          ]),
        ),
        peakMiB: Object.fromEntries(modes.map((m) => [m, byRole((role) => Math.max(0, ...(peaks[m]?.[role] ?? [])))])),
        cpuSeconds: Object.fromEntries(
          modes.map((m) => [
            m,
            Object.fromEntries(phases.map((p) => [p, byRole((role) => median(cpu[m]?.[p]?.[role] ?? []))])),
          ]),
        ) as SizeResult["cpuSeconds"],
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
  const machine = { cores: cpus().length, kernel: release(), node: process.version, cpu: cpus()[0]?.model ?? "" };
  const growth = growthOf(results);
  writeFileSync(out, `${JSON.stringify({ machine, modes, results, growth }, null, 2)}\n`);
  printTable(machine, results, growth);
  console.log(`\nevery figure: ${out}`);
}

/** How each way's phases grow between the two largest sizes: the ratio, and k in time ~ N^k. */
function growthOf(results: SizeResult[]) {
  const [small, large] = [...results].sort((a, b) => a.spokes - b.spokes).slice(-2);
  if (small === undefined || large === undefined || small === large) return undefined;
  const ways = Object.keys(large.seconds);
  return {
    from: small.spokes,
    to: large.spokes,
    ways: Object.fromEntries(
      ways.map((way) => [
        way,
        Object.fromEntries(
          phases.map((p) => {
            const ratio = (large.seconds[way]?.[p] ?? 0) / (small.seconds[way]?.[p] ?? 1);
            return [p, { ratio, exponent: Math.log(ratio) / Math.log(large.spokes / small.spokes) }];
          }),
        ),
      ]),
    ),
  };
}

function printTable(
  machine: { cores: number; kernel: string; cpu: string },
  results: SizeResult[],
  growth: ReturnType<typeof growthOf>,
): void {
  const f = (x: number) => x.toFixed(2);
  const pad = (x: string, n: number) => x.padStart(n);
  console.log(
    `\nstar lab, medians of ${runs} runs (1 above N = ${onceAbove}); ${machine.cores} cores (${machine.cpu}), Linux ${machine.kernel}`,
  );
  console.log(
    `N    | phase    | ${modes.map((m) => pad(`${m} s`, 10)).join(" | ")} | script s | batch s | ${modes.map((m) => pad(`${m}/script`, 14)).join(" | ")}`,
  );
  for (const r of results) {
    for (const phase of phases) {
      const cells = [
        ...modes.map((m) => pad(f(r.seconds[m]?.[phase] ?? 0), 10)),
        pad(f(r.seconds.script?.[phase] ?? 0), 8),
        pad(f(r.seconds.batch?.[phase] ?? 0), 7),
        ...modes.map((m) => pad(f(r.ratios[m]?.overScript[phase] ?? 0), 14)),
      ];
      console.log(`${String(r.spokes).padEnd(4)} | ${phase.padEnd(8)} | ${cells.join(" | ")}`);
    }
  }
  if (growth !== undefined) {
    console.log(`\ngrowth from N = ${growth.from} to N = ${growth.to}: ratio (exponent k in time ~ N^k)`);
    console.log(`way      | ${phases.map((p) => pad(p, 16)).join(" | ")}`);
    for (const [way, byPhase] of Object.entries(growth.ways)) {
      const cells = phases.map((p) => pad(`${f(byPhase[p]?.ratio ?? 0)} (k ${f(byPhase[p]?.exponent ?? 0)})`, 16));
      console.log(`${way.padEnd(8)} | ${cells.join(" | ")}`);
    }
  }
  if (modes.includes("checked") && modes.includes("default")) {
    console.log("\nwhat a check per spoke adds to the default mode (the unchanged preview is `check`)");
    for (const r of results) {
      const more = (p: Phase) => (100 * ((r.seconds.checked?.[p] ?? 0) / (r.seconds.default?.[p] ?? 1) - 1)).toFixed(0);
      console.log(`N = ${r.spokes}: ${phases.map((p) => `${p} +${more(p)}%`).join(", ")}`);
    }
  }
  console.log("\nN    | mode     | resources/s up | script | peak MiB: engine | provider | launcher");
  for (const r of results) {
    for (const m of modes) {
      console.log(
        `${String(r.spokes).padEnd(4)} | ${m.padEnd(8)} | ${pad(f(r.resourcesPerSecond[m] ?? 0), 14)} | ${pad(f(r.resourcesPerSecond.script ?? 0), 6)} | ${pad(f(r.peakMiB[m]?.engine ?? 0), 16)} | ${pad(f(r.peakMiB[m]?.provider ?? 0), 8)} | ${pad(f(r.peakMiB[m]?.launcher ?? 0), 8)}`,
      );
    }
  }
  console.log("\nwhere pulumi's time goes, CPU seconds (medians; `ip` processes not included)");
  console.log("N    | mode     | phase    | engine | program | provider | launcher");
  for (const r of results) {
    for (const m of modes) {
      for (const phase of phases) {
        const c = r.cpuSeconds[m]?.[phase];
        console.log(
          `${String(r.spokes).padEnd(4)} | ${m.padEnd(8)} | ${phase.padEnd(8)} | ${pad(f(c?.engine ?? 0), 6)} | ${pad(f(c?.program ?? 0), 7)} | ${pad(f(c?.provider ?? 0), 8)} | ${pad(f(c?.launcher ?? 0), 8)}`,
        );
      }
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
