#!/usr/bin/env node
/**
 * `pulumi-netns-sweep --stack PROJECT/STACK [--host DESTINATION]…`, with the stack's state
 * (`pulumi stack export`) on standard input: deletes what the stack made that its state does not
 * hold (provider/kinds/sweep.ts says when that is), on this machine and on every host the state
 * names, this machine's roster (records/roster.ts) names or `--host` adds (each keeps its own
 * ledger), and says what it deleted. scripts/recover runs it after a killed run.
 */
import { type Host, hostKey, hostLabel, hostRule } from "../commands/host.js";
import { closeHostMachines, hostMachine, hostProblem, processMachine } from "../kinds/index.js";
import { sweep } from "../kinds/sweep.js";
import { forgetSweptOn, hostsOf } from "../records/roster.js";
import { type Kind, kindOf } from "../registry.js";
import { isProblem } from "../rule.js";

async function main(): Promise<void> {
  const at = process.argv.indexOf("--stack");
  const stack = at < 0 ? undefined : process.argv[at + 1];
  if (stack === undefined || !/^[^/:]+\/[^/:]+$/.test(stack)) {
    throw new Error("usage: pulumi stack export | pulumi-netns-sweep --stack PROJECT/STACK [--host DESTINATION]...");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const exported = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
    deployment?: { resources?: Array<{ type?: string; id?: string; outputs?: { host?: unknown } }> };
  };
  // Each object of the state, by the host it is on ("" for this machine).
  const hosts = new Map<string, Host | undefined>([["", undefined]]);
  const kept = (exported.deployment?.resources ?? []).flatMap(({ type, id, outputs }) => {
    const kind = kindOf(type);
    if (kind === undefined || id === undefined) return [];
    const host = outputs?.host === undefined ? undefined : hostRule(outputs.host);
    if (isProblem(host)) return [];
    hosts.set(hostKey(host), host);
    return [{ kind, id, on: hostKey(host) }];
  });
  // Also every host this machine noted the stack making something on (roster.ts), which the state
  // may not name: a first run killed before its state was saved.
  for (const host of await hostsOf(processMachine(), stack)) hosts.set(hostKey(host), host);
  for (const [i, arg] of process.argv.entries()) {
    if (arg !== "--host") continue;
    const host = hostRule(process.argv[i + 1]);
    if (isProblem(host)) throw new Error(`--host ${process.argv[i + 1]}: ${host.problem}`);
    hosts.set(hostKey(host), host);
  }
  const deleted: Array<{ kind: Kind; id: string }> = [];
  let unswept = 0;
  for (const [key, host] of hosts) {
    const where = host === undefined ? "" : ` on ${hostLabel(host)}`;
    const machine = host === undefined ? processMachine() : hostMachine(host);
    const problem = host === undefined ? undefined : await hostProblem(host);
    if (problem !== undefined) {
      console.error(`could not sweep${where}: ${problem}`);
      unswept++;
      continue;
    }
    const keptThere = kept.filter((k) => k.on === key);
    const swept = await sweep(machine, stack, keptThere);
    if (host !== undefined && swept.failed.length === 0) await forgetSweptOn(processMachine(), stack, host, keptThere);
    for (const { kind, id } of swept.deleted) console.log(`swept ${kind} ${id}${where}`);
    for (const { made, error } of swept.failed) {
      console.error(
        `could not sweep ${made.kind} ${made.id}${where}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    deleted.push(...swept.deleted);
    unswept += swept.failed.length;
  }
  console.log(`sweep of ${stack}: ${deleted.length} object(s) the state does not hold, deleted`);
  if (unswept > 0) {
    throw new Error(`${unswept} object(s) or host(s) not swept (above); they stay in the ledger for the next sweep`);
  }
}

main()
  .catch((e) => {
    console.error(`pulumi-netns-sweep: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  })
  // Its connections to hosts go with it, not ControlPersist seconds later.
  .finally(closeHostMachines);
