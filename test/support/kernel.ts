/**
 * Helpers for tests against the real kernel: unique names, and inspection with plain `ip` calls
 * that do not go through the code under test.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import path from "node:path";
import { realSystem } from "../../provider/machine/local.js";
import { Machine } from "../../provider/machine/machine.js";

let counter = 0;

/** A namespace or link name unique to this test process, short enough for an interface (15 bytes). */
export function uniqueName(prefix = "pn"): string {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}x${counter.toString(36)}`.slice(0, 15);
}

/**
 * A new machine on the real system, as the next `pulumi` command's provider process has it: with
 * no shared reads yet (machine.ts). A test that changes the machine behind the provider's back,
 * as drift does between two commands, reads through a provider made on a new one.
 */
export function realMachine(): Machine {
  return new Machine(realSystem);
}

/** Runs `ip` directly and returns its output. */
export function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function namespaces(): string[] {
  const text = ip("-json", "netns", "list").trim();
  if (text === "" || text === "null") return [];
  return (JSON.parse(text) as Array<{ name: string }>).map((entry) => entry.name);
}

export function namespaceExists(name: string): boolean {
  return namespaces().includes(name);
}

/** Whether `lo` is administratively up in the namespace. */
export function loopbackUp(netns: string): boolean {
  const [lo] = JSON.parse(ip("-n", netns, "-json", "link", "show", "dev", "lo")) as Array<{ flags: string[] }>;
  return lo?.flags.includes("UP") ?? false;
}

/** Removes a namespace if it is there; for `finally` blocks. */
export function removeNamespace(name: string): void {
  if (namespaceExists(name)) ip("netns", "delete", name);
}

/** Runs `body` with `count` fresh namespaces, removed afterwards whatever happens. */
export async function withNamespaces<T>(count: number, body: (names: string[]) => Promise<T>): Promise<T> {
  const names = Array.from({ length: count }, () => uniqueName());
  try {
    for (const name of names) ip("netns", "add", name);
    return await body(names);
  } finally {
    for (const name of names) removeNamespace(name);
  }
}

/**
 * Two namespaces of the test's own joined by a veth pair, p0 in the first and p1 in the second,
 * addressed `NET.1` and `NET.2` (/24), and with `net6` `NET6::1` and `NET6::2` (/64, without DAD);
 * both ends and both `lo` up.
 */
export async function withJoinedPair(
  net: string,
  net6: string | undefined,
  body: (a: string, b: string) => Promise<void>,
): Promise<void> {
  await withNamespaces(2, async ([a, b]) => {
    const [from, to] = [a as string, b as string];
    ip("-n", from, "link", "add", "name", "p0", "type", "veth", "peer", "name", "p1", "netns", to);
    for (const [netns, device, n] of [
      [from, "p0", 1],
      [to, "p1", 2],
    ] as const) {
      ip("-n", netns, "address", "add", `${net}.${n}/24`, "dev", device);
      if (net6 !== undefined) ip("-n", netns, "address", "add", `${net6}::${n}/64`, "dev", device, "nodad");
      ip("-n", netns, "link", "set", "dev", device, "up");
      ip("-n", netns, "link", "set", "dev", "lo", "up");
    }
    await body(from, to);
  });
}

export interface LinkView {
  ifname: string;
  ifindex: number;
  flags: string[];
  mtu: number;
  address: string;
}

/** The link as `ip -json link show` reports it, or undefined when it is not there. */
export function link(netns: string, device: string): LinkView | undefined {
  try {
    return (JSON.parse(ip("-n", netns, "-json", "link", "show", "dev", device)) as LinkView[])[0];
  } catch {
    return undefined;
  }
}

/** The addresses on a device, as `ADDRESS/PREFIX`, without the IPv6 link-local one the kernel adds. */
export function addresses(netns: string, device: string): string[] {
  const [entry] = JSON.parse(ip("-n", netns, "-json", "address", "show", "dev", device)) as Array<{
    addr_info: Array<{ local: string; prefixlen: number; scope: string }>;
  }>;
  return (entry?.addr_info ?? []).filter((a) => a.scope !== "link").map((a) => `${a.local}/${a.prefixlen}`);
}

/** The routes of a namespace's main table, as `ip -json route show` reports them. */
export function routes(
  netns: string,
  ...selector: string[]
): Array<{ dst: string; gateway?: string; dev?: string; metric?: number }> {
  return JSON.parse(ip("-n", netns, "-json", "route", "show", ...selector) || "[]");
}

/** A sysctl's value inside a namespace. */
export function sysctl(netns: string, key: string): string {
  return ip("netns", "exec", netns, "cat", `/proc/sys/${key.split(".").join("/")}`).trim();
}

/** Sets a sysctl inside a namespace by hand, as a person would (with tee, which every system has). */
export function setSysctl(netns: string, key: string, value: string): void {
  execFileSync("ip", ["netns", "exec", netns, "tee", `/proc/sys/${key.split(".").join("/")}`], {
    input: value,
    stdio: ["pipe", "ignore", "pipe"],
  });
}

/** The processes of a session (as started with `detached: true`), from /proc. */
export function sessionProcesses(sid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp session …; comm may hold spaces, so count from the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // A zombie ("Z") is dead already; it only waits to be reaped.
      if (Number(fields[3]) === sid && fields[0] !== "Z") pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** The running processes whose environment holds the mark of `owner` (PULUMI_NETNS_OWNER), read from /proc. */
export function markedProcesses(owner: string): number[] {
  return processesMarked((mark) => mark === owner);
}

/** The running processes of any resource of the stack `stackName` (test stacks have unique names). */
export function stackProcesses(stackName: string): number[] {
  return processesMarked((mark) => mark.includes(`/${stackName}:`));
}

/**
 * What a test stack whose destroy failed may leave besides its namespaces and journal: its
 * processes (stopped), their logs, and the files it wrote under /etc/netns, with the folders they
 * leave empty. Everything is found by the stack's mark.
 */
export function removeLeftoversOf(stackName: string): void {
  for (const pid of stackProcesses(stackName)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  const logs = "/var/log/pulumi-netns";
  for (const file of filesUnder(logs).filter((f) => f.includes(encodeURIComponent(`/${stackName}:`)))) {
    rmSync(path.join(logs, file));
  }
  if (existsSync(logs) && readdirSync(logs).length === 0) rmdirSync(logs);
  for (const file of filesUnder("/etc/netns")) {
    const full = path.join("/etc/netns", file);
    if (!readFileSync(full, "utf8").split("\n", 1)[0]?.includes(`/${stackName}:`)) continue;
    rmSync(full);
    if (readdirSync(path.dirname(full)).length === 0) rmdirSync(path.dirname(full));
  }
}

function processesMarked(matches: (mark: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const mark = readFileSync(`/proc/${entry}/environ`, "utf8")
        .split("\0")
        .find((e) => e.startsWith("PULUMI_NETNS_OWNER="));
      if (mark !== undefined && matches(mark.slice("PULUMI_NETNS_OWNER=".length))) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/**
 * SIGKILLs every process of a session: the pulumi CLI and the plugins it started, which sit in
 * process groups of their own and would outlive a kill of the CLI's group.
 */
export async function killSession(sid: number): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const pids = sessionProcesses(sid);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`processes of session ${sid} survive SIGKILL: ${sessionProcesses(sid).join(", ")}`);
}

/** Every file in the journal (/run/pulumi-netns), relative to it. */
export function journalFiles(): string[] {
  return filesUnder("/run/pulumi-netns");
}

/** Every file under `root`, relative to it; none when it is not there. */
export function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Removes the journal's records of the stack `stackName` (test stacks have unique names): what a
 * destroy that failed leaves behind. Sysctl records carry the owner in their file name, notes of
 * creates under way in their text; folders left empty go too.
 */
export function removeJournalOf(stackName: string): void {
  const root = "/run/pulumi-netns";
  const owner = `/${stackName}:`;
  for (const file of journalFiles()) {
    const full = path.join(root, file);
    if (file.includes(encodeURIComponent(owner)) || readFileSync(full, "utf8").includes(owner)) rmSync(full);
  }
  const prune = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) prune(path.join(dir, entry.name));
    if (dir !== root && readdirSync(dir).length === 0) rmdirSync(dir);
  };
  if (existsSync(root)) prune(root);
  if (existsSync(root) && readdirSync(root).length === 0) rmdirSync(root);
}

export const IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";

/**
 * What a person would compare to see that nothing changed: the root namespace's links, addresses
 * and routes (without the lifetimes that count down by themselves), its forwarding, the list of
 * namespaces, the journal, /etc/netns and the logs.
 */
export function machineState() {
  const stable = (text: string) =>
    JSON.parse(text, (key, value) => (/life_time|expires/.test(key) ? undefined : value));
  return {
    links: stable(ip("-json", "link", "show")),
    addresses: stable(ip("-json", "address", "show")),
    routes: stable(ip("-json", "route", "show", "table", "all")),
    ipForward: readFileSync(IP_FORWARD, "utf8"),
    namespaces: namespaces().sort(),
    journal: journalFiles(),
    // The namespaces' own files (HostsFile, ResolvConf) and the processes' logs (NetnsProcess).
    etcNetns: filesUnder("/etc/netns"),
    logs: filesUnder("/var/log/pulumi-netns"),
  };
}

/** Pings once, from inside `netns` or (undefined) from the root namespace; true when answered. */
export function ping(netns: string | undefined, address: string): boolean {
  const argv = ["ping", "-c", "1", "-W", "2", address];
  try {
    if (netns === undefined) execFileSync(argv[0] as string, argv.slice(1), { stdio: "pipe" });
    else execFileSync("ip", ["netns", "exec", netns, ...argv], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/**
 * A TCP server on `port` in `netns` (Node's own, under `ip netns exec`) that accepts and closes
 * each connection; resolves once it listens. Stop it with {@link stopProcess}.
 */
export async function tcpListener(netns: string, port: number): Promise<ChildProcess> {
  const serve = `require("net").createServer((s) => s.end()).listen(${port}, () => console.log("listening"))`;
  const server = spawn("ip", ["netns", "exec", netns, process.execPath, "-e", serve], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await once(server.stdout as NodeJS.ReadableStream, "data");
  return server;
}

/** Ends a process the test started, and waits until it is gone; one gone already is left alone. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  // Gone already: it exited, or a signal ended it.
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill();
  await once(child, "exit");
}

/**
 * What the way from namespace `from` to `toAddress` in namespace `to` carries, in bits per second:
 * 3 MB over TCP (Node's own, port 5001), timed at the receiver from its first byte to the last.
 */
export async function throughput(from: string, to: string, toAddress: string): Promise<number> {
  const serve = `require("net").createServer((s) => { let bytes = 0, first;
    s.on("data", (d) => { first ??= process.hrtime.bigint(); bytes += d.length; });
    s.on("end", () => { console.log(JSON.stringify({ bytes, ns: String(process.hrtime.bigint() - first) })); process.exit(0); });
  }).listen(5001, "${toAddress}", () => console.log("listening"));`;
  const server = spawn("ip", ["netns", "exec", to, process.execPath, "-e", serve], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  server.stdout.setEncoding("utf8").on("data", (chunk: string) => lines.push(...chunk.trim().split("\n")));
  while (!lines.includes("listening")) await once(server.stdout, "data");
  const send = `const s = require("net").connect(5001, "${toAddress}", () => s.end(Buffer.alloc(3e6)));`;
  const client = spawn("ip", ["netns", "exec", from, process.execPath, "-e", send], { stdio: "inherit" });
  await Promise.all([once(client, "exit"), once(server, "exit")]);
  const { bytes, ns } = JSON.parse(lines.at(-1) as string) as { bytes: number; ns: string };
  if (bytes !== 3e6) throw new Error(`the receiver got ${bytes} bytes of 3000000`);
  return (bytes * 8) / (Number(ns) / 1e9);
}
