/**
 * The sweep: deletes every object a stack made (its ledger, ledger.ts) that its state does not
 * hold, the idea of CNI's GC verb. A run killed before its state was saved leaves objects that the
 * state never learnt of; when the program still declares them, the next `up` adopts them, and when
 * it no longer does, only the sweep can find them. Run it between a killed run and the next one
 * (scripts/recover does), never beside a run of the same stack: what that run is making is not in
 * the state yet.
 */

import type { Machine } from "../machine/machine.js";
import { type Made, madeBy } from "../records/ledger.js";
import { type Kind, kindNames } from "../registry.js";
import { providerFor } from "./index.js";

/** What a sweep did: the objects it deleted, and those it could not, each with why. */
export interface Swept {
  deleted: Made[];
  failed: Array<{ made: Made; error: unknown }>;
}

/**
 * Deletes what the stack `PROJECT/STACK` made that is not in `kept` (the objects of its state),
 * each through its kind's own `delete`. One that fails does not stop the others: it stays in the
 * ledger, for the next sweep, and the result says why.
 */
export async function sweep(
  machine: Machine,
  stack: string,
  kept: Iterable<{ kind: Kind; id: string }>,
): Promise<Swept> {
  const keep = new Set([...kept].map(({ kind, id }) => `${kind}\0${id}`));
  const orphans = (await madeBy(machine, stack)).filter(({ kind, id }) => !keep.has(`${kind}\0${id}`));
  // What sits on a thing before the thing, as a destroy goes (the registry lists namespaces first);
  // any order would do, since deleting what went with its namespace succeeds.
  orphans.sort((a, b) => kindNames.indexOf(b.kind) - kindNames.indexOf(a.kind));
  const swept: Swept = { deleted: [], failed: [] };
  for (const made of orphans) {
    try {
      await providerFor(made.kind, machine).delete(made.id, made.inputs);
      swept.deleted.push(made);
    } catch (error) {
      swept.failed.push({ made, error });
    }
  }
  return swept;
}
