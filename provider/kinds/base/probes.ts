/**
 * One probe from inside a namespace: an ICMP echo (`ping`), or a TCP connection made by
 * tcp-probe.js (Node's own, so nothing else need be installed) here, and by bash on other hosts. Each returns how it went and
 * never throws: an unanswered probe is an answer.
 */
import path from "node:path";
import { familyOf } from "../../commands/address.js";
import {
  bashTcpProbeArgv,
  neighbourAnswered,
  neighShow,
  parseBashTcpProbe,
  parseRouteGet,
  pingArgv,
  pingRtt,
  routeGet,
} from "../../commands/probe.js";
import { isFailure } from "../../errors.js";
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
  // On another host neither this Node nor this file is there, and seldom any Node: bash does it.
  if (netns.remote) {
    const exit = await netns.probe(bashTcpProbeArgv(address, port, timeout));
    return (
      parseBashTcpProbe(exit.stdout) ?? {
        reached: false,
        error: exit.stderr.trim() || `the probe exited with ${exit.exitCode ?? "no code: is bash installed there?"}`,
      }
    );
  }
  const script = path.join(__dirname, "tcp-probe.js");
  const exit = await netns.probe([process.execPath, script, address, String(port), String(timeout * 1000)]);
  try {
    return JSON.parse(exit.stdout) as Answer;
  } catch {
    return { reached: false, error: exit.stderr.trim() || `the probe exited with ${exit.exitCode}` };
  }
}

/** What a check probes, as {@link explain} describes it. */
export interface Probed {
  address: string;
  netns?: string | undefined;
  protocol: "icmp" | "tcp";
  port?: number | undefined;
  tries: number;
  timeout: number;
}

/**
 * Why the answer was not the expected one, in the lab's terms, from the source namespace's view:
 * `head` begins the message (`Reachability`, or the pair a check is of).
 */
export async function explain(netns: Netns, p: Probed, answer: Answer, head = "Reachability"): Promise<string> {
  const from = p.netns === undefined ? "the root namespace" : `namespace "${p.netns}"`;
  const what = p.protocol === "tcp" ? `${p.address} port ${p.port} (TCP)` : `${p.address} (ICMP echo)`;
  const route = async () => parseRouteGet(await netns.read(routeGet(p.address)));
  if (answer.reached) {
    const way = await route().catch(() => undefined);
    return (
      `${head}: ${what} answered from ${from}${answer.rtt === undefined ? "" : ` in ${answer.rtt} ms`}, ` +
      `but it is declared unreachable. ${way === undefined ? "" : `The kernel routes it ${describeWay(way)}: `}` +
      "some route or link joins the two."
    );
  }
  const said = `${head}: ${what} did not answer from ${from} (${p.tries} ${p.tries === 1 ? "try" : "tries"}, ${p.timeout} s each${answer.error === undefined ? "" : `; ${answer.error}`}).`;
  if (answer.error === "ECONNREFUSED") {
    return `${said} The host answers, but nothing listens on port ${p.port}: start the service, or check the port.`;
  }
  let way: { gateway: string | undefined; device: string | undefined };
  try {
    way = await route();
  } catch (e) {
    if (isFailure(e, "not-found"))
      return `${said} ${from} does not exist: declare its NetNamespace, and pass its name.`;
    return `${said} ${from} has no route to ${p.address}: declare a Route to its subnet (or a default route) there.`;
  }
  const hop = way.gateway ?? p.address;
  const answered =
    way.device !== undefined && neighbourAnswered(await netns.read(neighShow(hop, way.device)).catch(() => ""));
  if (way.gateway === undefined) {
    return answered
      ? `${said} ${p.address} is on ${way.device}'s network and answers there, but not to this probe: a firewall, or a service that is not there.`
      : `${said} ${p.address} is on ${way.device}'s network, but nothing there answers for it: is the far end up, with that address?`;
  }
  const forwarding = familyOf(p.address) === 4 ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding";
  return answered
    ? `${said} The gateway ${way.gateway} (on ${way.device}) answers, but the packets get no further: forwarding may be off on that router (${forwarding}), it may have no route on, or the destination no route back.`
    : `${said} The gateway ${way.gateway} on ${way.device} does not answer: is the far end of ${way.device} up, with that address?`;
}

function describeWay(way: { gateway: string | undefined; device: string | undefined }): string {
  return way.gateway === undefined ? `straight out of ${way.device}` : `via ${way.gateway} on ${way.device}`;
}
