/**
 * What a host costs: one lab of about a hundred nodes built, checked and torn down by pulumi-netns
 * on this machine, on one other host, and spread over three, each host a fake one of
 * test/support/fake-hosts.ts (sshd in a namespace of this machine, reached by a real ssh).
 *
 * The lab (`campus`): three routers joined in a triangle of links, each with a segment (a bridge)
 * of S hosts; a quarter of each segment's hosts sit on the next machine, so that their port on the
 * bridge is a VXLAN tunnel across hosts, as are the routers' links. Every host checks the host of
 * the same number on the next segment (through two routers). S = 32 makes 99 nodes.
 *
 * Three placements of the same declaration: `here` (no `machines`: this machine, no ssh), `one`
 * (one machine, one fake host) and `three` (three machines, one fake host each). For each:
 * `pulumi up`, an unchanged `pulumi preview --refresh` and `pulumi destroy`, timed, with
 * PULUMI_NETNS_TRACE on, so that each phase also counts the commands run in each place (on a host,
 * each is one round trip over its connection) and the time they took there.
 *
 * Usage: node dist/bench/hosts.js [--segment-hosts 32] [--placements here,one,three] [--runs 1]
 *        [--out bench-hosts.json]
 * Needs root, sshd (Debian's openssh-server) and the toolchain directory in PULUMI_NETNS_TOOLCHAIN
 * (`npm run bench -- hosts` sets them up). Leaves the machine as it found it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir } from "node:os";
import path from "node:path";
import type { TopologyNode, TopologySpec } from "../provider/program/components/topology/spec.js";
import { makeUserProject, offlineEnv } from "../test/support/engine.js";
import { type FakeHost, fakeHosts } from "../test/support/fake-hosts.js";
import { labProgram, measuredPulumi, median, option, pulumiSyncIn } from "./measure.js";

type Placement = "here" | "one" | "three";
const segmentHosts = Number(option("segment-hosts", "32"));
const placements = option("placements", "here,one,three").split(",") as Placement[];
const runs = Number(option("runs", "1"));
const out = option("out", path.resolve(__dirname, "../../bench-hosts.json"));
const toolchain = process.env.PULUMI_NETNS_TOOLCHAIN ?? "";
if (toolchain === "") throw new Error("PULUMI_NETNS_TOOLCHAIN is not set: run `npm run bench -- hosts`");

const prefix = `h${process.pid.toString(36)}`.slice(0, 6);
const phases = ["up", "preview", "destroy"] as const;
type Phase = (typeof phases)[number];

/** The campus, its three parts on the machines `m0`, `m1`, `m2` (all three `m0` for one host, none here). */
function campusOf(placement: Placement, hosts: FakeHost[], configFile: string): TopologySpec {
  const machineOf = (part: number) => (placement === "here" ? undefined : placement === "one" ? "m0" : `m${part}`);
  const on = (part: number) => {
    const machine = machineOf(part);
    return machine === undefined ? {} : { machine };
  };
  const parts = [0, 1, 2];
  const hostsOf = (part: number) => Array.from({ length: segmentHosts }, (_, j) => `h${part}-${j}`);
  const nodes: TopologyNode[] = [
    ...parts.map((part) => ({ name: `r${part}`, router: true, ...on(part) })),
    // The last quarter of a segment's hosts live on the next part's machine: their port crosses hosts.
    ...parts.flatMap((part) =>
      hostsOf(part).map((name, j) => ({ name, ...on(j < (segmentHosts * 3) / 4 ? part : (part + 1) % 3) })),
    ),
  ];
  const used = placement === "here" ? [] : placement === "one" ? [0] : parts;
  const machines = Object.fromEntries(
    used.map((i) => {
      const host = hosts[i] as FakeHost;
      return [`m${i}`, { host: { address: host.alias, configFile }, underlay: host.underlay }];
    }),
  );
  return {
    prefix,
    pools: { ipv4: "10.66.0.0/16" },
    nodes,
    // The bridge of a segment is on its router's machine (its first member's).
    segments: parts.map((part) => ({ name: `s${part}`, members: [`r${part}`, ...hostsOf(part)] })),
    links: [{ between: ["r0", "r1"] }, { between: ["r1", "r2"] }, { between: ["r2", "r0"] }],
    checks: parts.flatMap((part) =>
      hostsOf(part).map((name, j) => [name, `h${(part + 1) % 3}-${j}`] as [string, string]),
    ),
    ...(used.length === 0 ? {} : { machines }),
  };
}

/** What ran in one place: how many commands, the seconds they took there (summed), and how many of each program. */
interface Commands {
  commands: number;
  seconds: number;
  /** By program: `ip` with its object (`ip link`, `ip netns`), others by name (`dd`, `mkdir`). */
  programs: Record<string, number>;
}

/** The commands of a trace file, by where they ran. */
function commandsOf(trace: string): Record<string, Commands> {
  const by: Record<string, Commands> = {};
  if (!existsSync(trace)) return by;
  for (const line of readFileSync(trace, "utf8").split("\n")) {
    if (line === "") continue;
    const { where, argv, ms } = JSON.parse(line) as { where: string; argv: string[]; ms: number };
    by[where] ??= { commands: 0, seconds: 0, programs: {} };
    const place = by[where];
    place.commands++;
    place.seconds += ms / 1000;
    const object = argv.includes("-batch")
      ? "-batch"
      : argv.find((a, i) => i > 0 && !a.startsWith("-") && argv[i - 1] !== "-n");
    const program = argv[0] === "ip" ? `ip ${object}` : (argv[0] ?? "");
    place.programs[program] = (place.programs[program] ?? 0) + 1;
  }
  return by;
}

interface PlacementResult {
  placement: Placement;
  hosts: number;
  nodes: number;
  resources: number;
  seconds: Record<Phase, number>;
  everyRun: Record<Phase, number[]>;
  /** Of the last run: each phase's commands by where they ran. */
  commands: Record<Phase, Record<string, Commands>>;
}

async function main(): Promise<void> {
  const lab = await fakeHosts(3);
  const home = mkdtempSync(path.join(tmpdir(), "pulumi-netns-bench-"));
  const project = path.join(home, "project");
  const trace = path.join(home, "trace");
  mkdirSync(project);
  const results: PlacementResult[] = [];
  const env = { ...offlineEnv(home, toolchain), PULUMI_NETNS_TRACE: trace };
  const stack = ["--stack", "bench", "--non-interactive"];
  const pulumiSync = pulumiSyncIn(toolchain, project, env);
  try {
    makeUserProject(project, "hosts-bench", labProgram);
    pulumiSync("stack", "init", "bench");
    for (const placement of placements) {
      const spec = campusOf(placement, lab.hosts, lab.configFile);
      pulumiSync("config", "set", "spec", JSON.stringify(spec), ...stack);
      const everyRun: Record<Phase, number[]> = { up: [], preview: [], destroy: [] };
      const commands = {} as PlacementResult["commands"];
      let resources = 0;
      for (let run = 0; run < runs; run++) {
        for (const phase of phases) {
          rmSync(trace, { force: true });
          const args = {
            up: ["up", "--yes", "--skip-preview"],
            preview: ["preview", "--refresh", "--expect-no-changes"],
            destroy: ["destroy", "--yes", "--skip-preview"],
          }[phase];
          everyRun[phase].push((await measuredPulumi(toolchain, project, [...args, ...stack], env)).seconds);
          commands[phase] = commandsOf(trace);
          if (phase === "up") {
            const state = JSON.parse(pulumiSync("stack", "export", ...stack)) as {
              deployment: { resources?: Array<{ type: string }> };
            };
            resources = (state.deployment.resources ?? []).filter((r) =>
              r.type.startsWith("pulumi-nodejs:dynamic/netns:"),
            ).length;
          }
        }
        // Destroy leaves every host as it found it.
        for (const host of lab.hosts) {
          const left = host.namespaces();
          if (left.length > 0) throw new Error(`destroy left ${left.join(", ")} on ${host.alias}`);
        }
        process.stderr.write(`bench: ${placement} run ${run + 1}/${runs} done\n`);
      }
      results.push({
        placement,
        hosts: placement === "here" ? 0 : placement === "one" ? 1 : 3,
        nodes: spec.nodes.length,
        resources,
        seconds: Object.fromEntries(phases.map((p) => [p, median(everyRun[p])])) as Record<Phase, number>,
        everyRun,
        commands,
      });
    }
  } finally {
    // After a failed run: what the stack still holds goes, on every host and here.
    try {
      pulumiSync("destroy", "--yes", "--skip-preview", ...stack);
    } catch {
      // nothing made, or already gone
    }
    try {
      pulumiSync("stack", "rm", "--yes", "--force", "bench");
    } catch {
      // no stack to remove
    }
    await lab.dispose();
    rmSync(home, { recursive: true, force: true });
  }
  const machine = { cores: cpus().length, kernel: release(), node: process.version, cpu: cpus()[0]?.model ?? "" };
  writeFileSync(out, `${JSON.stringify({ machine, segmentHosts, results }, null, 2)}\n`);
  printTable(machine, results);
  console.log(`\nevery figure: ${out}`);
}

function printTable(machine: { cores: number; kernel: string; cpu: string }, results: PlacementResult[]): void {
  const f = (x: number) => x.toFixed(2);
  const pad = (x: string, n: number) => x.padStart(n);
  console.log(
    `\ncampus over hosts, medians of ${runs} run(s); ${machine.cores} cores (${machine.cpu}), Linux ${machine.kernel}`,
  );
  const here = results.find((r) => r.placement === "here");
  console.log(
    "placement | hosts | nodes | resources | phase   | seconds | over here | commands here | on hosts | per node | host seconds",
  );
  for (const r of results) {
    for (const phase of phases) {
      const by = r.commands[phase] ?? {};
      const local = by.here?.commands ?? 0;
      const remote = Object.entries(by).filter(([where]) => where !== "here");
      const onHosts = remote.reduce((total, [, c]) => total + c.commands, 0);
      const hostSeconds = remote.reduce((total, [, c]) => total + c.seconds, 0);
      const over = here === undefined ? "" : f(r.seconds[phase] / here.seconds[phase]);
      console.log(
        [
          r.placement.padEnd(9),
          pad(String(r.hosts), 5),
          pad(String(r.nodes), 5),
          pad(String(r.resources), 9),
          phase.padEnd(7),
          pad(f(r.seconds[phase]), 7),
          pad(over, 9),
          pad(String(local), 13),
          pad(String(onHosts), 8),
          pad(f((local + onHosts) / r.nodes), 8),
          pad(f(hostSeconds), 12),
        ].join(" | "),
      );
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
