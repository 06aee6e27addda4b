/**
 * The shape every kind's provider has: Pulumi's dynamic provider with every method present and
 * typed by the kind's inputs and state, built on a {@link Machine}. A kind's `provider/<file>.ts`
 * exports its provider class as the module's default export; kinds/index.ts finds it there.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Machine } from "../../machine/machine.js";

export interface KindProvider<Inputs, State> {
  /** True for a kind that makes nothing on the machine (a check): the ledger has nothing to keep of it. */
  readonly makesNothing?: boolean;
  /** The object's identity, from checked inputs: what `create` returns as its id. */
  id(inputs: Inputs): string;
  /** Validates and normalises inputs before anything on the machine changes. */
  check(olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<Inputs>>;
  /** Pure: compares the state with new inputs; sets `changes`, and `replaces` for what identifies it. */
  diff(id: string, olds: State, news: Inputs): Promise<pulumi.dynamic.DiffResult>;
  /** All or nothing: a failed create leaves nothing behind. */
  create(inputs: Inputs): Promise<Created<State>>;
  /** The live state; `{}` when the object is gone (or is not the one this stack made). */
  read(id: string, props: State): Promise<pulumi.dynamic.ReadResult<Partial<State>>>;
  update(id: string, olds: State, news: Inputs): Promise<Updated<State>>;
  /** Succeeds when the object is already gone. */
  delete(id: string, props: State): Promise<void>;
  /**
   * For a kind whose object leaves something behind when it goes (a process its log, a file the
   * folders it made): once `read` found the object gone, whether some of that is still there. Its
   * ledger record then stays, so that a sweep deletes it when the state no longer holds it (the
   * engine drops a resource found gone without calling its delete).
   */
  remains?(props: State): Promise<boolean>;
  /**
   * For a kind that `pulumi import` can bring under a stack (native/provider.ts): the object that
   * `id` names, as the kind's state, once `owner`'s mark is on it (where the kind has room for
   * one); undefined when there is no such object. An object another resource marks is refused
   * (ownership.ts, refuseOthers). Without an owner it only looks, for a resource's `.get()`
   * (kinds/index.ts). The id is the kind's own, or a shorter one where one part names the object
   * (a veth pair by one end: `[NETNS/]NAME`).
   */
  adopt?(id: string, owner: string | undefined): Promise<State | undefined>;
  /**
   * For a kind whose objects another resource of the stack can take over (records/handover.ts):
   * lets go of the object without touching it, forgetting only this resource's own records. Its
   * delete is then called only for objects nobody took.
   */
  release?(id: string, props: State): Promise<void>;
}

/** A kind's provider class, as its module's default export. */
// biome-ignore lint/suspicious/noExplicitAny: each kind has its own inputs and state; the engine passes plain data.
export type ProviderClass = new (machine: Machine) => KindProvider<any, any>;

/** What creates return: always the full state (Pulumi's own type leaves `outs` optional). */
export interface Created<State> {
  id: string;
  outs: State;
}

/** What updates return: always the full state. */
export interface Updated<State> {
  outs: State;
}
