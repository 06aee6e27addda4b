#!/usr/bin/env node
/**
 * `pulumi-netns-stop-plugins --project PROJECT --backend URL`: stops the plugin processes that a
 * killed `pulumi` command of that project and backend left running. The engine starts the
 * language host and the provider process in process groups of their own, so they outlive a CLI
 * killed with SIGKILL and may go on changing the machine. Other stacks' runs are left alone:
 * the plugins of a live run have their `pulumi` CLI as an ancestor; a killed run's have none.
 * A run's plugins all carry the engine's address (`127.0.0.1:PORT`) on their command line, the
 * backend in their environment, and its provider its project: that is how they are told apart.
 *
 * Then it closes the SSH connections that killed provider processes left open to other hosts (a
 * connection's master outlives its process for ControlPersist, and its kept-open shells on the
 * host with it) and removes their sockets' folders: each folder is named after the pid of the
 * process that made it (kinds/index.ts), and one whose process is gone is nobody's.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

interface Process {
  pid: number;
  ppid: number;
  argv: string[];
  env: Map<string, string>;
}

// The language hosts, the dynamic-provider launcher, the program, the dynamic provider and the
// netns package's provider (native/main.js, which plugin/pulumi-resource-netns runs).
const PLUGIN =
  /pulumi-language-(nodejs|yaml|go)|pulumi-resource-pulumi-nodejs|@pulumi\/pulumi\/cmd\/(run|dynamic-provider)|provider\/native\/main\.js/;

function processes(): Map<number, Process> {
  const all = new Map<number, Process>();
  for (const entry of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
      const env = new Map(
        readFileSync(`/proc/${entry}/environ`, "utf8")
          .split("\0")
          .filter((line) => line.includes("="))
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as [string, string]),
      );
      all.set(Number(entry), { pid: Number(entry), ppid, argv, env });
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return all;
}

/** True when a `pulumi` CLI is among the process's ancestors: it belongs to a live run. */
function underLiveCli(p: Process, all: Map<number, Process>): boolean {
  for (let parent = all.get(p.ppid); parent !== undefined; parent = all.get(parent.ppid)) {
    if (path.basename(parent.argv[0] ?? "") === "pulumi") return true;
    if (parent.pid <= 1) break;
  }
  return false;
}

/** The engine address a plugin was given: its argument `127.0.0.1:PORT`, or the program's `--engine`. */
function engineOf(p: Process): string | undefined {
  const at = p.argv.indexOf("--engine");
  if (at >= 0) return p.argv[at + 1];
  return p.argv.find((arg) => /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(arg));
}

function option(name: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? undefined : process.argv[at + 1];
  if (value === undefined || value === "") {
    throw new Error("usage: pulumi-netns-stop-plugins --project PROJECT --backend URL");
  }
  return value;
}

async function main(): Promise<void> {
  const [project, backend] = [option("project"), option("backend")];
  const all = processes();
  const runs = new Map<string, Process[]>();
  for (const p of all.values()) {
    const engine = engineOf(p);
    if (!PLUGIN.test(p.argv.join(" ")) || engine === undefined || p.pid === process.pid) continue;
    runs.set(engine, [...(runs.get(engine) ?? []), p]);
  }
  const stopped: number[] = [];
  for (const members of runs.values()) {
    if (members.some((p) => underLiveCli(p, all))) continue;
    if (!members.some((p) => p.env.get("PULUMI_BACKEND_URL") === backend)) continue;
    const projectOf = (p: Process) => p.env.get("PULUMI_PROJECT") ?? p.argv[p.argv.indexOf("--project") + 1];
    if (!members.some((p) => projectOf(p) === project)) continue;
    for (const p of members) {
      try {
        process.kill(p.pid, "SIGKILL");
        stopped.push(p.pid);
      } catch {
        // gone meanwhile
      }
    }
  }
  console.log(
    `stopped ${stopped.length} plugin process(es) of killed runs of ${project}${stopped.length ? `: ${stopped.join(", ")}` : ""}`,
  );
  const closed = closeOrphanedConnections();
  if (closed > 0) console.log(`closed ${closed} SSH connection(s) of provider processes gone`);
}

/** True while process `pid` runs: a zombie (killed, not yet reaped by its parent) does not. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Closes the connections in this user's sockets' folders whose process is gone, and removes the folders. */
function closeOrphanedConnections(): number {
  let closed = 0;
  for (const name of readdirSync(tmpdir())) {
    const pid = /^pulumi-netns-ssh\.(\d+)\./.exec(name)?.[1];
    const folder = path.join(tmpdir(), name);
    if (pid === undefined || alive(Number(pid))) continue;
    try {
      if (statSync(folder).uid !== process.getuid?.()) continue;
      for (const socket of readdirSync(folder)) {
        // The master answers on its socket whatever the destination: the name only fills ssh's argv.
        const argv = ["-o", `ControlPath=${path.join(folder, socket)}`, "-O", "exit", "--", "pulumi-netns-host"];
        if (spawnSync("ssh", argv, { stdio: "ignore", timeout: 5000 }).status === 0) closed++;
      }
      rmSync(folder, { recursive: true, force: true });
    } catch {
      // removed meanwhile
    }
  }
  return closed;
}

main().catch((e) => {
  console.error(`pulumi-netns-stop-plugins: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
