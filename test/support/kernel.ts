/**
 * Helpers for tests against the real kernel: unique names, and inspection with plain `ip` calls
 * that do not go through the code under test.
 */
import { execFileSync } from "node:child_process";

let counter = 0;

/** A namespace or link name unique to this test process, short enough for an interface (15 bytes). */
export function uniqueName(prefix = "pn"): string {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}x${counter.toString(36)}`.slice(0, 15);
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
