/**
 * What the benchmarks share: their options, a user's lab program, and what they measure of one
 * `pulumi` command: its time, and the peak memory and CPU time of each of its processes by what it
 * does.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { TopologySpec } from "../provider/program/components/topology/spec.js";

/** A user's lab program: a Topology of the declaration in the stack's config, from the packed package. */
export const labProgram = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { Topology } = require("pulumi-netns");
const lab = new Topology("lab", JSON.parse(new pulumi.Config().require("spec")));
exports.checks = lab.checks.apply((checks) => checks.length);
`;

/**
 * A leaf-spine fabric of `size` leaves, 2 spines and 2 clients per leaf, IPv4 and IPv6, every pair
 * checked (4 leaves is containerlab's clos02), every namespace after `prefix`.
 */
export function closSpec(prefix: string, size: number): TopologySpec {
  const spines = ["sp1", "sp2"];
  const leaves = Array.from({ length: size }, (_, i) => `leaf${i + 1}`);
  const clients = leaves.flatMap((leaf, i) => [1, 2].map((k) => ({ leaf, name: `c${i + 1}-${k}` })));
  return {
    prefix,
    pools: { ipv4: "10.65.0.0/16", ipv6: "fd00:65::/48" },
    nodes: [
      ...spines.map((name) => ({ name, router: true })),
      ...leaves.map((name) => ({ name, router: true })),
      ...clients.map(({ name }) => ({ name })),
    ],
    links: [
      ...leaves.flatMap((leaf) => spines.map((spine) => ({ between: [leaf, spine] as [string, string] }))),
      ...clients.map(({ leaf, name }) => ({ between: [leaf, name] as [string, string] })),
    ],
    checks: "all-pairs",
  };
}

/** The processes of one `pulumi` command, by what they do; the launcher starts the provider's `ip`s. */
export const roles = ["engine", "program", "provider", "launcher"] as const;
export type Role = (typeof roles)[number];

export interface PulumiFigures {
  seconds: number;
  /** The peak RSS (VmHWM) of each role, its largest process. */
  peakMiB: Record<Role, number>;
  /** CPU seconds (user + system) of each role, as last sampled before each process ended. */
  cpuSeconds: Record<Role, number>;
}

/** What a process of a `pulumi` command does, from its command line; undefined for others. */
function roleOf(pid: number, root: number, cmdline: string): Role | undefined {
  if (pid === root) return "engine";
  // The netns package's provider (bench/doors.ts) too.
  if (cmdline.includes("dynamic-provider") || cmdline.includes("provider/native/main.js")) return "provider";
  // A YAML program runs inside its language host.
  if (cmdline.includes("pulumi-language-yaml")) return "program";
  if (cmdline.includes("pulumi-netns/dist/provider/machine/launcher.js")) return "launcher";
  if (cmdline.includes("@pulumi/pulumi/cmd/run")) return "program";
  return undefined;
}

/**
 * Runs `pulumi` of the toolchain in `project`, sampling every 100 ms the peak RSS (VmHWM) and the
 * CPU time of the engine, the program, the provider process and its launcher: all processes of
 * the command's session. Rejects with the end of pulumi's output when it fails.
 */
export function measuredPulumi(
  toolchain: string,
  project: string,
  args: string[],
  env: Record<string, string>,
): Promise<PulumiFigures> {
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
      if (code !== 0) {
        reject(new Error(`pulumi ${args.join(" ")} failed:\n${output.slice(-4000)}`));
        return;
      }
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

/** Runs a quick `pulumi` command of a benchmark's set-up in `project`; a failure throws with pulumi's own words. */
export function pulumiSyncIn(toolchain: string, project: string, env: Record<string, string>) {
  return (...args: string[]) =>
    execFileSync(path.join(toolchain, "pulumi"), args, {
      cwd: project,
      env: { ...process.env, ...env },
      encoding: "utf8",
      maxBuffer: 1 << 28,
      stdio: ["ignore", "pipe", "pipe"],
    });
}

/** The benchmark's option `--NAME VALUE`, or `fallback` when it is not given. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** One value per role. */
export function byRole<T>(value: (role: Role) => T): Record<Role, T> {
  return Object.fromEntries(roles.map((role) => [role, value(role)])) as Record<Role, T>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
