/**
 * The provider process's entry, exported as `pulumi-netns/providers`: every kind's forwarder
 * (program/forwarder.ts) imports it by package name and asks it for the kind's provider, so every
 * operation runs the code installed now. The implementations are found through the registry:
 * `provider/<file>.ts` of each kind, whose default export is its provider class.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type Kind, kinds } from "../kinds.js";
import type { KindProvider, ProviderClass } from "./kind.js";
import { forgetMade, noteMade } from "./ledger.js";
import { Machine } from "./machine.js";
import { realSystem } from "./system.js";

/** A kind's provider as the engine calls it: every method, on plain data. */
// biome-ignore lint/suspicious/noExplicitAny: the engine passes plain data of any kind.
export type DynamicProvider = KindProvider<any, any> &
  Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "read" | "update" | "delete">>;

const methods = ["check", "diff", "create", "read", "update", "delete"] as const;

let machine: Machine | undefined;

/** The machine of this provider process: one for its life, which is one `pulumi` command's. */
export function processMachine(): Machine {
  machine ??= new Machine(realSystem);
  return machine;
}

/**
 * Replaces the machine that {@link processMachine} hands out, for tests that drive serialized
 * forwarders (which ask for their own provider) against a fake. Pass `undefined` to restore.
 */
export function useMachine(replacement: Machine | undefined): void {
  machine = replacement;
}

/** The class behind `kind`, from its module `provider/<file>.js`. */
export function providerClass(kind: Kind): ProviderClass {
  const file = kinds[kind];
  if (file === undefined) throw new Error(`pulumi-netns: unknown resource kind "${kind}"`);
  return (require(`./${file}.js`) as { default: ProviderClass }).default;
}

/**
 * The provider for `kind` on `on` (by default this process's machine), as the engine calls it:
 * what it creates is in the stack's ledger (ledger.ts) from just before it is made until it is
 * deleted, or found gone.
 */
export function providerFor(kind: Kind, on: Machine = processMachine()): DynamicProvider {
  const Provider = providerClass(kind);
  const provider = new Provider(on);
  const noted: Pick<DynamicProvider, "create" | "delete" | "read" | "update"> = {
    async create(inputs) {
      if (provider.makesNothing === true) return provider.create(inputs);
      const made = { kind, id: provider.id(inputs), inputs };
      await noteMade(on, made);
      try {
        return await provider.create(inputs);
      } catch (e) {
        // It undid its own work (or said what it left, which a retry adopts).
        await forgetMade(on, kind, made.id, inputs);
        throw e;
      }
    },
    async delete(id, props) {
      await provider.delete(id, props);
      if (provider.makesNothing !== true) await forgetMade(on, kind, id, props);
    },
    // The mark on the machine names whoever created the object, and stays. A resource renamed with
    // an alias (as StarLab's children were) gets a new `owner` input, which must not become its
    // state: its read, update and delete would look for a mark that is not there.
    async update(id, olds, news) {
      return provider.update(id, olds, { ...news, owner: olds.owner });
    },
    async read(id, props) {
      const read = await provider.read(id, props);
      // Gone (or not ours any more): the engine drops it without a delete, and nothing is left to sweep.
      if (read.id === undefined && provider.makesNothing !== true) await forgetMade(on, kind, id, props ?? {});
      return read;
    },
  };
  // Pulumi's wire format (a protobuf Struct) has no `undefined`: a property that is absent (the
  // root namespace, an undeclared MTU) must be left out, not set to undefined, or the call fails
  // with "Unexpected struct type". Cleaned here once for every kind and method.
  const wire = Object.create(provider) as Record<string, unknown>;
  for (const method of methods) {
    const call = (method in noted ? noted[method as keyof typeof noted] : provider[method].bind(provider)) as (
      ...args: unknown[]
    ) => Promise<unknown>;
    wire[method] = async (...args: unknown[]) => withoutUndefined(await call(...args));
  }
  return wire as unknown as DynamicProvider;
}

/** A copy of plain data with every `undefined` property left out, at any depth. */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  ) as T;
}
