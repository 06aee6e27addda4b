/**
 * The two front doors side by side: the same labs through a TypeScript program (the dynamic
 * resources, in the Node.js SDK) and through Pulumi YAML (the `netns` package: the YAML language
 * host registers the resources, the package's provider process serves them). Both from the packed
 * package installed in a user's project, as users have it.
 *
 * - `routed`: the origin lab with the host role in a namespace of its own (14 resources), written
 *   out resource by resource: in YAML, no registration passes through the Node.js SDK;
 * - `clos`: containerlab's clos02 as a `Topology` (58 resources): in YAML the component is built
 *   in the provider process (`construct`), so its children's registrations pass through the
 *   Node.js SDK there.
 *
 * Each: `pulumi up`, an unchanged `pulumi preview --refresh`, `pulumi destroy`, with the time and
 * the CPU seconds of the engine, the program and the provider process.
 *
 * Usage: node dist/bench/doors.js [--labs routed,clos] [--runs 3] [--out bench-doors.json]
 * Needs root and the toolchain directory in PULUMI_NETNS_TOOLCHAIN (`npm run bench -- doors`).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir } from "node:os";
import path from "node:path";
import { kindOf } from "../provider/registry.js";
import { makeUserProject, offlineEnv } from "../test/support/engine.js";
import {
  closSpec,
  labProgram,
  measuredPulumi,
  median,
  option,
  type PulumiFigures,
  pulumiSyncIn,
  type Role,
} from "./measure.js";

type Lab = "routed" | "clos";
type Door = "typescript" | "yaml";
type Phase = "up" | "preview" | "destroy";
const phases: Phase[] = ["up", "preview", "destroy"];
const labs = option("labs", "routed,clos").split(",") as Lab[];
const runs = Number(option("runs", "3"));
const out = option("out", path.resolve(__dirname, "../../bench-doors.json"));
const toolchain = process.env.PULUMI_NETNS_TOOLCHAIN ?? "";
if (toolchain === "") throw new Error("PULUMI_NETNS_TOOLCHAIN is not set: run `npm run bench -- doors`");

const prefix = `d${process.pid.toString(36)}`.slice(0, 6);

/** The routed lab as a user's TypeScript program would be, compiled: the YAML example's resources, one for one. */
const routedProgram = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { IpAddress, NetNamespace, Reachability, Route, Sysctl, VethPair } = require("pulumi-netns");
const prefix = new pulumi.Config().require("prefix");
const host = new NetNamespace("host", { name: prefix + "host" });
const ns = [0, 1].map((i) => new NetNamespace("ns" + i, { name: prefix + "ns" + i }));
const subnets = ["10.1.10", "10.1.20"];
const made = [0, 1].flatMap((i) => {
  const n = i + 1;
  const pair = new VethPair("veth" + n + "1-veth" + n + "2", {
    name: prefix + "veth" + n + "1", netns: host.name, peerName: prefix + "veth" + n + "2", peerNetns: ns[i].name,
  });
  const hostAddress = new IpAddress("veth" + n + "1-address", { address: subnets[i] + ".1/24", device: pair.name, netns: host.name });
  const spokeAddress = new IpAddress("veth" + n + "2-address", { address: subnets[i] + ".2/24", device: pair.peerName, netns: ns[i].name });
  const route = new Route("ns" + i + "-to-ns" + (1 - i), {
    destination: subnets[1 - i] + ".0/24", via: subnets[i] + ".1", device: spokeAddress.device, netns: ns[i].name,
  });
  return [hostAddress, route];
});
const forwarding = new Sysctl("ip-forward", { key: "net.ipv4.ip_forward", value: "1", netns: host.name });
[0, 1].forEach((i) => new Reachability("ns" + i + "-reaches", { netns: ns[i].name, address: subnets[1 - i] + ".2" }, { dependsOn: [...made, forwarding] }));
`;

/** The YAML program of `lab`, for a project whose node_modules holds the package (its plugin). */
function yamlProgram(lab: Lab, repoRoot: string): string {
  const head =
    "runtime: yaml\nplugins:\n  providers:\n    - name: netns\n      path: node_modules/pulumi-netns/plugin\n";
  if (lab === "clos") {
    // JSON is YAML: the declaration as it is.
    return `name: doors-clos\n${head}resources:\n  lab:\n    type: netns:index:Topology\n    properties: ${JSON.stringify(closSpec(prefix, 4))}\n`;
  }
  const example = readFileSync(path.join(repoRoot, "examples/yaml-routed-lab/Pulumi.yaml"), "utf8");
  return example
    .replace(/^name: .*$/m, "name: doors-routed")
    .replace("path: ../../plugin", "path: node_modules/pulumi-netns/plugin");
}

interface Result {
  lab: Lab;
  door: Door;
  resources: number;
  seconds: Record<Phase, number>;
  everyRun: Record<Phase, number[]>;
  /** Of the last run's `up`: CPU seconds by role. */
  upCpu: Record<Role, number>;
}

async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, "../..");
  const home = mkdtempSync(path.join(tmpdir(), "pulumi-netns-bench-"));
  const env = offlineEnv(home, toolchain);
  const stack = ["--stack", "bench", "--non-interactive"];
  const results: Result[] = [];
  const made: string[] = [];
  try {
    for (const lab of labs) {
      for (const door of ["typescript", "yaml"] as Door[]) {
        const project = path.join(home, `${lab}-${door}`);
        mkdirSync(project);
        made.push(project);
        makeUserProject(project, `doors-${lab}`, lab === "routed" ? routedProgram : labProgram);
        // The same project, its program in YAML: the package's plugin is in its node_modules.
        if (door === "yaml") writeFileSync(path.join(project, "Pulumi.yaml"), yamlProgram(lab, repoRoot));
        const pulumiSync = pulumiSyncIn(toolchain, project, env);
        pulumiSync("stack", "init", "bench");
        if (door === "typescript") {
          const key = lab === "routed" ? "prefix" : "spec";
          pulumiSync("config", "set", key, lab === "routed" ? prefix : JSON.stringify(closSpec(prefix, 4)), ...stack);
        } else if (lab === "routed") pulumiSync("config", "set", "prefix", prefix, ...stack);
        const everyRun: Record<Phase, number[]> = { up: [], preview: [], destroy: [] };
        let upFigures: PulumiFigures | undefined;
        let resources = 0;
        for (let run = 0; run < runs; run++) {
          for (const phase of phases) {
            const args = {
              up: ["up", "--yes", "--skip-preview"],
              preview: ["preview", "--refresh", "--expect-no-changes"],
              destroy: ["destroy", "--yes", "--skip-preview"],
            }[phase];
            const figures = await measuredPulumi(toolchain, project, [...args, ...stack], env);
            everyRun[phase].push(figures.seconds);
            if (phase === "up") {
              upFigures = figures;
              const state = JSON.parse(pulumiSync("stack", "export", ...stack)) as {
                deployment: { resources?: Array<{ type: string }> };
              };
              // The kinds' resources, either door's; a component is not one.
              resources = (state.deployment.resources ?? []).filter((r) => kindOf(r.type) !== undefined).length;
            }
          }
          process.stderr.write(`bench: ${lab} through ${door}, run ${run + 1}/${runs} done\n`);
        }
        results.push({
          lab,
          door,
          resources,
          seconds: Object.fromEntries(phases.map((p) => [p, median(everyRun[p])])) as Record<Phase, number>,
          everyRun,
          upCpu: (upFigures as PulumiFigures).cpuSeconds,
        });
        pulumiSync("stack", "rm", "--yes", "bench");
      }
    }
  } finally {
    // After a failed run: what a stack still holds goes.
    for (const project of made) {
      const pulumiSync = pulumiSyncIn(toolchain, project, env);
      try {
        pulumiSync("destroy", "--yes", "--skip-preview", ...stack);
        pulumiSync("stack", "rm", "--yes", "--force", "bench");
      } catch {
        // nothing made, or already gone
      }
    }
    rmSync(home, { recursive: true, force: true });
  }
  const machine = { cores: cpus().length, kernel: release(), node: process.version, cpu: cpus()[0]?.model ?? "" };
  writeFileSync(out, `${JSON.stringify({ machine, runs, results }, null, 2)}\n`);
  const f = (x: number) => x.toFixed(2).padStart(7);
  console.log(
    `\nfront doors, medians of ${runs} run(s); ${machine.cores} cores (${machine.cpu}), Linux ${machine.kernel}`,
  );
  console.log("lab     door        resources      up  preview  destroy   up CPU s: engine program provider");
  for (const r of results) {
    const cpu = r.upCpu;
    console.log(
      `${r.lab.padEnd(7)} ${r.door.padEnd(10)} ${String(r.resources).padStart(10)} ${f(r.seconds.up)} ${f(r.seconds.preview)}  ${f(r.seconds.destroy)}            ${f(cpu.engine)} ${f(cpu.program)}  ${f(cpu.provider)}`,
    );
  }
  console.log(`\nevery figure: ${out}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
