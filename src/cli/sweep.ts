#!/usr/bin/env node
/**
 * `pulumi-netns-sweep --stack PROJECT/STACK`, with the stack's state (`pulumi stack export`) on
 * standard input: deletes what the stack made that its state does not hold (src/provider/sweep.ts
 * says when that is), and says what it deleted. scripts/recover runs it after a killed run.
 */
import { kindOf } from "../kinds.js";
import { processMachine } from "../provider/index.js";
import { sweep } from "../provider/sweep.js";

async function main(): Promise<void> {
  const at = process.argv.indexOf("--stack");
  const stack = at < 0 ? undefined : process.argv[at + 1];
  if (stack === undefined || !/^[^/:]+\/[^/:]+$/.test(stack)) {
    throw new Error("usage: pulumi stack export | pulumi-netns-sweep --stack PROJECT/STACK");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const exported = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
    deployment?: { resources?: Array<{ type?: string; id?: string }> };
  };
  const kept = (exported.deployment?.resources ?? []).flatMap(({ type, id }) => {
    const kind = kindOf(type);
    return kind !== undefined && id !== undefined ? [{ kind, id }] : [];
  });
  const { deleted, failed } = await sweep(processMachine(), stack, kept);
  for (const { kind, id } of deleted) console.log(`swept ${kind} ${id}`);
  for (const { made, error } of failed) {
    console.error(`could not sweep ${made.kind} ${made.id}: ${error instanceof Error ? error.message : String(error)}`);
  }
  console.log(`sweep of ${stack}: ${deleted.length} object(s) the state does not hold, deleted`);
  if (failed.length > 0) {
    throw new Error(`${failed.length} object(s) not deleted (above); they stay in the ledger for the next sweep`);
  }
}

main().catch((e) => {
  console.error(`pulumi-netns-sweep: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
