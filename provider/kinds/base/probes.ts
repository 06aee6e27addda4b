/**
 * One probe from inside a namespace: an ICMP echo (`ping`), or a TCP connection made by
 * tcp-probe.js (Node's own, so nothing else need be installed). Each returns how it went and
 * never throws: an unanswered probe is an answer.
 */
import path from "node:path";
import { pingArgv, pingRtt } from "../../commands/probe.js";
import type { Netns } from "../../machine/machine.js";

/** One probe's answer. */
export interface Answer {
  reached: boolean;
  rtt?: number | undefined;
  /** Why it did not get through, in the probe's own words (`ECONNREFUSED`, `100% packet loss`). */
  error?: string | undefined;
}

/** One echo request to `address`, waiting up to `timeout` seconds for the reply. */
export async function icmpProbe(netns: Netns, address: string, timeout: number): Promise<Answer> {
  const exit = await netns.probe(pingArgv(address, timeout));
  const rtt = pingRtt(exit.stdout);
  if (exit.exitCode === 0 && rtt !== undefined) return { reached: true, rtt };
  const loss = /\d+% packet loss/.exec(exit.stdout)?.[0];
  return { reached: false, error: loss ?? (exit.stderr.trim() || undefined) };
}

/** One TCP connection to `address` port `port`, waiting up to `timeout` seconds for it. */
export async function tcpProbe(netns: Netns, address: string, port: number, timeout: number): Promise<Answer> {
  const script = path.join(__dirname, "tcp-probe.js");
  const args = [address, String(port), String(timeout * 1000)];
  // On another host neither this Node nor this file is there: the host's `node` runs the script's
  // text (`node -e`), its first argument a placeholder where a script's path would be.
  const argv = netns.remote
    ? ["node", "-e", await (await import("node:fs/promises")).readFile(script, "utf8"), "tcp-probe", ...args]
    : [process.execPath, script, ...args];
  const exit = await netns.probe(argv);
  try {
    return JSON.parse(exit.stdout) as Answer;
  } catch {
    return { reached: false, error: exit.stderr.trim() || `the probe exited with ${exit.exitCode}` };
  }
}
