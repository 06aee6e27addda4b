/**
 * How fast pulumi-netns builds, checks and tears down the labs users build, next to the shell
 * script one would otherwise write for the same lab and next to the kernel's floor.
 *
 * Two shapes, each a Topology the benchmark declares:
 *   - `clos`: a leaf-spine fabric of L leaves, 2 spines and 2 clients per leaf, IPv4 and IPv6,
 *     every pair checked (L = 4 is containerlab's clos02: 14 nodes, 16 links);
 *   - `star`: a hub router and N spokes, each on a link of its own, IPv4 (as the 0.3.0 bench).
 * Three ways per size, alternating:
 *   (a) this project: `pulumi up`, an unchanged `pulumi preview --refresh`, `pulumi destroy`, in
 *       each mode asked for: `default` (the project's settings), `fast` (the same with
 *       PULUMI_SKIP_CHECKPOINTS=true: what the engine costs without a checkpoint per step), and the
 *       settings measured for their toll: `traceless`, `paralleldiff` (see modeEnv);
 *   (b) B, the script: the plan's own commands (Topology's `script`, script.ts), one process per
 *       object, run by `sh`; "check" runs its checks again and reads each namespace's addresses
 *       and routes; teardown is its `ip netns delete`s;
 *   (c) the floor: the same lab through `ip -batch`, one process per namespace and step (its
 *       checks are the script's pings, which have no batch).
 * Between the two largest sizes of a shape it reports how each phase grows: the ratio, and the
 * exponent k of time ~ N^k.
 *
 * For (a) it also samples, every 100 ms, the peak memory and the CPU time of the engine, of the
 * Node.js program, of the provider process and of its launcher (the small process that starts its
 * `ip` commands), and counts the resources of the stack: where pulumi's time goes.
 *
 * (a) runs the program the way users run it: a Pulumi program in a folder of its own with the
 * `npm pack`ed package installed in its node_modules (so the state holds what it holds for them).
 *
 * Usage: node dist/bench/labs.js [--shapes clos,star] [--clos-sizes 4] [--star-sizes 100,200,400]
 *        [--runs 1] [--modes default,fast,traceless,paralleldiff] [--out bench-results.json]
 * Needs root and the toolchain directory in PULUMI_NETNS_TOOLCHAIN (scripts/bench sets both up).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir } from "node:os";
import path from "node:path";
import { planTopology } from "../provider/program/components/topology/plan.js";
import { topologyCommands } from "../provider/program/components/topology/script.js";
import type { TopologyPlan, TopologySpec } from "../provider/program/components/topology/spec.js";
import { makeUserProject, offlineEnv } from "../test/support/engine.js";
import {
  byRole,
  closSpec,
  labProgram,
  measuredPulumi,
  median,
  option,
  pulumiSyncIn,
  type Role,
  roles,
} from "./measure.js";

let project = "";

const numbers = (text: string) => text.split(",").filter(Boolean).map(Number);
type Shape = "clos" | "star";
const shapes = option("shapes", "clos,star").split(",") as Shape[];
const sizesOf: Record<Shape, number[]> = {
  clos: numbers(option("clos-sizes", "4")),
  star: numbers(option("star-sizes", "100,200,400")),
};
const runs = Number(option("runs", "1"));
const modes = option("modes", "default,fast").split(",") as Mode[];
type Mode = "default" | "fast" | "traceless" | "paralleldiff";
/**
 * What each mode adds to the project's own pulumi settings: `fast` skips the checkpoints; the
 * last two are the per-resource toll settings measured A/B against `default` (README, "Speed"):
 * no stack traces in the program's and the provider's Node.js, and the engine's diffs in parallel.
 */
const modeEnv: Record<Mode, Record<string, string>> = {
  default: {},
  fast: { PULUMI_SKIP_CHECKPOINTS: "true" },
  traceless: { NODE_OPTIONS: "--stack-trace-limit=0" },
  paralleldiff: { PULUMI_PARALLEL_DIFF: "true" },
};
const out = option("out", path.resolve(__dirname, "../../bench-results.json"));
const toolchain = process.env.PULUMI_NETNS_TOOLCHAIN ?? "";
if (toolchain === "") throw new Error("PULUMI_NETNS_TOOLCHAIN is not set: run `npm run bench`");

const prefix = `b${process.pid.toString(36)}`.slice(0, 7);

/** The declaration of a shape at a size, with the benchmark's prefix on every namespace. */
function specOf(shape: Shape, size: number): TopologySpec {
  if (shape === "star") {
    const spokes = Array.from({ length: size }, (_, i) => `s${i}`);
    return {
      prefix,
      pools: { ipv4: "10.64.0.0/14" },
      // As StarLab numbers them: the hub is .1 and every spoke .2 of its own link.
      nodes: [{ name: "hub", router: true, number: 1 }, ...spokes.map((name) => ({ name, number: 2 }))],
      links: spokes.map((spoke) => ({ between: ["hub", spoke] as [string, string] })),
    };
  }
  return closSpec(prefix, size);
}

function ipBatch(netns: string | undefined, lines: string[], options: string[] = []): void {
  if (lines.length === 0) return;
  const args = [...options, ...(netns === undefined ? [] : ["-n", netns]), "-batch", "-"];
  execFileSync("ip", args, { input: `${lines.join("\n")}\n`, stdio: ["pipe", "ignore", "pipe"] });
}

function seconds(work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Every namespace of a plan: the nodes' and the segments'. */
function namespacesOf(plan: TopologyPlan): string[] {
  return [...plan.nodes.flatMap((n) => (n.netns === undefined ? [] : [n.netns])), ...plan.segments.map((s) => s.netns)];
}

/** (b) B: the plan's commands as a shell script, one process per object, written into `dir` and run by sh. */
const script = {
  dir: "",
  run(name: string, lines: string[]): void {
    const file = path.join(this.dir, `${name}.sh`);
    writeFileSync(file, ["#!/bin/sh", "set -e", ...lines, ""].join("\n"));
    execFileSync("sh", [file], { stdio: ["ignore", "ignore", "pipe"] });
  },
  build(plan: TopologyPlan) {
    const { up, checks } = topologyCommands(plan);
    this.run("build", [...up, ...checks]);
  },
  check(plan: TopologyPlan) {
    const reads = namespacesOf(plan).flatMap((ns) => [
      `ip -n ${ns} -json address show >/dev/null`,
      `ip -n ${ns} -json route show >/dev/null`,
    ]);
    this.run("check", [...reads, ...topologyCommands(plan).checks]);
  },
  teardown(plan: TopologyPlan) {
    this.run("teardown", topologyCommands(plan).down);
  },
};

/**
 * (c) The floor: the script's `ip` commands as one `ip -batch` per namespace and step (namespaces,
 * then the links made, then set up, then the rest), the other commands (forwarding, hosts files) as they are; the
 * checks are the script's pings.
 */
const batch = {
  build(plan: TopologyPlan) {
    const { up, checks } = topologyCommands(plan);
    const own = (line: string) => /^ip (-n (\S+) )?(.*)$/.exec(line);
    const roots = up.filter((line) => line.startsWith("ip netns add ")).map((line) => line.slice(3));
    ipBatch(undefined, roots);
    // Each step after the one before in every namespace: a link's far end is set up where it was sent.
    const steps = [
      (args: string) => args.startsWith("link add "),
      (args: string) => args.startsWith("link ") && !args.startsWith("link add "),
      (args: string) => !args.startsWith("link "),
    ];
    for (const step of steps) {
      const byNetns = new Map<string | undefined, string[]>();
      for (const line of up) {
        const m = own(line);
        if (m === null || line.startsWith("ip netns add ") || !step(m[3] as string)) continue;
        // A batch line takes no -6: the family is in the destination or the gateway.
        const args = (m[3] as string).replace(/^-6 route add default /, "route add ::/0 ").replace(/^-6 /, "");
        byNetns.set(m[2], [...(byNetns.get(m[2]) ?? []), args]);
      }
      for (const [netns, lines] of byNetns) ipBatch(netns, lines);
    }
    const rest = up.filter((line) => own(line) === null);
    if (rest.length > 0) execFileSync("sh", ["-c", rest.join("\n")]);
    if (checks.length > 0) execFileSync("sh", ["-c", checks.join("\n")], { stdio: ["ignore", "ignore", "pipe"] });
  },
  check(plan: TopologyPlan) {
    for (const ns of namespacesOf(plan)) ipBatch(ns, ["address show", "route show"], ["-json"]);
    const { checks } = topologyCommands(plan);
    if (checks.length > 0) execFileSync("sh", ["-c", checks.join("\n")], { stdio: ["ignore", "ignore", "pipe"] });
  },
  teardown(plan: TopologyPlan) {
    ipBatch(
      undefined,
      namespacesOf(plan).map((ns) => `netns delete ${ns}`),
    );
  },
};

/** The project's pulumi, measured. */
function pulumi(args: string[], env: Record<string, string>) {
  return measuredPulumi(toolchain, project, args, env);
}

/** Removes whatever a failed run left: the machine is left as it was found. */
function cleanup(): void {
  const listed = execFileSync("ip", ["-json", "netns", "list"], { encoding: "utf8" }).trim();
  const names = listed === "" ? [] : (JSON.parse(listed) as Array<{ name: string }>).map((e) => e.name);
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    execFileSync("ip", ["netns", "delete", name]);
    rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
  }
}

type Phase = "build" | "check" | "teardown";
const phases: Phase[] = ["build", "check", "teardown"];

/** The medians of one shape at one size: pulumi in each mode, the script and the batch. */
interface SizeResult {
  shape: Shape;
  size: number;
  nodes: number;
  links: number;
  checks: number;
  /** The stack's resources of this library's kinds, and the commands of the script (B). */
  resources: number;
  commands: number;
  runs: number;
  seconds: Record<string, Record<Phase, number>>;
  /** Each run's seconds, per way and phase. */
  everyRun: Record<string, Record<Phase, number[]>>;
  /** pulumi's time over B (the script's build: the targets' unit) and over the script's and batch's own phase. */
  ratios: Record<
    string,
    { overB: Record<Phase, number>; overScript: Record<Phase, number>; overBatch: Record<Phase, number> }
  >;
  peakMiB: Record<string, Record<Role, number>>;
  cpuSeconds: Record<string, Record<Phase, Record<Role, number>>>;
}

async function main(): Promise<void> {
  const home = mkdtempSync(path.join(tmpdir(), "pulumi-netns-bench-"));
  project = path.join(home, "project");
  script.dir = path.join(home, "script");
  mkdirSync(project);
  mkdirSync(script.dir);
  makeUserProject(project, "labs-bench", labProgram);
  const env = offlineEnv(home, toolchain);
  const stack = ["--stack", "bench", "--non-interactive"];
  const pulumiSync = pulumiSyncIn(toolchain, project, env);
  const results: SizeResult[] = [];
  try {
    pulumiSync("stack", "init", "bench");
    for (const shape of shapes) {
      for (const size of sizesOf[shape]) {
        const spec = specOf(shape, size);
        const plan = planTopology(spec);
        pulumiSync("config", "set", "spec", JSON.stringify(spec), ...stack);
        // Every figure of every run: times[way][phase], where a way is a mode of pulumi, "script" or "batch".
        const times: Record<string, Record<Phase, number[]>> = {};
        const peaks: Record<string, Record<Role, number[]>> = {};
        const cpu: Record<string, Record<Phase, Record<Role, number[]>>> = {};
        const record = (way: string, phase: Phase, value: number) => {
          times[way] ??= { build: [], check: [], teardown: [] };
          times[way][phase].push(value);
        };
        let resources = 0;
        for (let run = 0; run < runs; run++) {
          for (const mode of modes) {
            const modeEnvironment = { ...env, ...modeEnv[mode] };
            const up = await pulumi(["up", "--yes", "--skip-preview", ...stack], modeEnvironment);
            const state = JSON.parse(pulumiSync("stack", "export", ...stack)) as {
              deployment: { resources?: Array<{ type: string }> };
            };
            resources = (state.deployment.resources ?? []).filter((r) =>
              r.type.startsWith("pulumi-nodejs:dynamic/netns:"),
            ).length;
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
                seconds(() => impl[phase](plan)),
              );
          }
          process.stderr.write(`bench: ${shape} ${size} run ${run + 1}/${runs} done\n`);
        }
        const med = (way: string) =>
          Object.fromEntries(phases.map((phase) => [phase, median(times[way]?.[phase] ?? [])])) as Record<
            Phase,
            number
          >;
        const medians = Object.fromEntries([...modes, "script", "batch"].map((way) => [way, med(way)]));
        const over = (mode: string, base: (p: Phase) => number) =>
          Object.fromEntries(phases.map((p) => [p, (medians[mode]?.[p] ?? 0) / base(p)])) as Record<Phase, number>;
        const { up, checks } = topologyCommands(plan);
        results.push({
          shape,
          size,
          nodes: plan.nodes.length,
          links: plan.links.length,
          checks: plan.checks.length,
          resources,
          commands: up.length + checks.length,
          runs,
          seconds: medians,
          // Every run's figure, not only the medians: the spread says how far to trust a difference.
          everyRun: times,
          ratios: Object.fromEntries(
            modes.map((m) => [
              m,
              {
                overB: over(m, () => medians.script?.build ?? 1),
                overScript: over(m, (p) => medians.script?.[p] ?? 1),
                overBatch: over(m, (p) => medians.batch?.[p] ?? 1),
              },
            ]),
          ),
          peakMiB: Object.fromEntries(
            modes.map((m) => [m, byRole((role) => Math.max(0, ...(peaks[m]?.[role] ?? [])))]),
          ),
          cpuSeconds: Object.fromEntries(
            modes.map((m) => [
              m,
              Object.fromEntries(phases.map((p) => [p, byRole((role) => median(cpu[m]?.[p]?.[role] ?? []))])),
            ]),
          ) as SizeResult["cpuSeconds"],
        });
      }
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
  const growth = shapes.flatMap((shape) => growthOf(results.filter((r) => r.shape === shape)) ?? []);
  writeFileSync(out, `${JSON.stringify({ machine, modes, results, growth }, null, 2)}\n`);
  printTable(machine, results, growth);
  console.log(`\nevery figure: ${out}`);
}

/** How each way's phases grow between the two largest sizes of a shape: the ratio, and k in time ~ N^k. */
function growthOf(results: SizeResult[]) {
  const [small, large] = [...results].sort((a, b) => a.size - b.size).slice(-2);
  if (small === undefined || large === undefined || small === large) return undefined;
  const ways = Object.keys(large.seconds);
  return {
    shape: large.shape,
    from: small.size,
    to: large.size,
    ways: Object.fromEntries(
      ways.map((way) => [
        way,
        Object.fromEntries(
          phases.map((p) => {
            const ratio = (large.seconds[way]?.[p] ?? 0) / (small.seconds[way]?.[p] ?? 1);
            return [p, { ratio, exponent: Math.log(ratio) / Math.log(large.size / small.size) }];
          }),
        ),
      ]),
    ),
  };
}

function printTable(
  machine: { cores: number; kernel: string; cpu: string },
  results: SizeResult[],
  growth: NonNullable<ReturnType<typeof growthOf>>[],
): void {
  const f = (x: number) => x.toFixed(2);
  const pad = (x: string, n: number) => x.padStart(n);
  const label = (r: SizeResult) => `${r.shape} ${r.size}`.padEnd(9);
  console.log(`\nlabs, medians of ${runs} run(s); ${machine.cores} cores (${machine.cpu}), Linux ${machine.kernel}`);
  console.log("lab       | nodes | links | checks | resources | B's commands");
  for (const r of results) {
    console.log(
      `${label(r)} | ${pad(String(r.nodes), 5)} | ${pad(String(r.links), 5)} | ${pad(String(r.checks), 6)} | ${pad(String(r.resources), 9)} | ${pad(String(r.commands), 12)}`,
    );
  }
  console.log(
    `\nlab       | phase    | ${modes.map((m) => pad(`${m} s`, 10)).join(" | ")} | script s | batch s | ${modes.map((m) => pad(`${m}/B`, 10)).join(" | ")}`,
  );
  for (const r of results) {
    for (const phase of phases) {
      const cells = [
        ...modes.map((m) => pad(f(r.seconds[m]?.[phase] ?? 0), 10)),
        pad(f(r.seconds.script?.[phase] ?? 0), 8),
        pad(f(r.seconds.batch?.[phase] ?? 0), 7),
        ...modes.map((m) => pad(f(r.ratios[m]?.overB[phase] ?? 0), 10)),
      ];
      console.log(`${label(r)} | ${phase.padEnd(8)} | ${cells.join(" | ")}`);
    }
  }
  for (const g of growth) {
    console.log(`\n${g.shape}: growth from ${g.from} to ${g.to}: ratio (exponent k in time ~ N^k)`);
    console.log(`way      | ${phases.map((p) => pad(p, 16)).join(" | ")}`);
    for (const [way, byPhase] of Object.entries(g.ways)) {
      const cells = phases.map((p) => pad(`${f(byPhase[p]?.ratio ?? 0)} (k ${f(byPhase[p]?.exponent ?? 0)})`, 16));
      console.log(`${way.padEnd(8)} | ${cells.join(" | ")}`);
    }
  }
  console.log("\nlab       | mode     | peak MiB: engine | program | provider | launcher");
  for (const r of results) {
    for (const m of modes) {
      const p = r.peakMiB[m];
      console.log(
        `${label(r)} | ${m.padEnd(8)} | ${pad(f(p?.engine ?? 0), 16)} | ${pad(f(p?.program ?? 0), 7)} | ${pad(f(p?.provider ?? 0), 8)} | ${pad(f(p?.launcher ?? 0), 8)}`,
      );
    }
  }
  console.log("\nwhere pulumi's time goes, CPU seconds (medians; `ip` processes not included)");
  console.log("lab       | mode     | phase    | engine | program | provider | launcher");
  for (const r of results) {
    for (const m of modes) {
      for (const phase of phases) {
        const c = r.cpuSeconds[m]?.[phase];
        console.log(
          `${label(r)} | ${m.padEnd(8)} | ${phase.padEnd(8)} | ${pad(f(c?.engine ?? 0), 6)} | ${pad(f(c?.program ?? 0), 7)} | ${pad(f(c?.provider ?? 0), 8)} | ${pad(f(c?.launcher ?? 0), 8)}`,
        );
      }
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
