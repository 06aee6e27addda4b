/**
 * The provider process's entry, exported as `pulumi-netns/providers`: every kind's forwarder
 * (program/forwarder.ts) imports it by package name and asks it for the kind's provider, so every
 * operation runs the code installed now. The implementations are found through the registry:
 * `provider/<file>.ts` of each kind, whose default export is its provider class.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type Host, hostKey, hostLabel, hostRule } from "../commands/host.js";
import { realSystem } from "../machine/local.js";
import { Machine } from "../machine/machine.js";
import { SshSystem } from "../machine/ssh.js";
import { takeHandedOver } from "../records/handover.js";
import { forgetMade, noteMade } from "../records/ledger.js";
import { forgetOnHost, livingOn, noteOnHost } from "../records/roster.js";
import { type Kind, kinds } from "../registry.js";
import { isProblem } from "../rule.js";
import { describeValue, known } from "./base/inputs.js";
import type { ProviderClass } from "./base/kind.js";

/** A kind's provider as the engine calls it: every method, on plain data. */
export type DynamicProvider = InstanceType<ProviderClass> &
  Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "read" | "update" | "delete">>;

const methods = ["check", "diff", "create", "read", "update", "delete"] as const;

let machine: Machine | undefined;

/** The machine of this provider process: one for its life, which is one `pulumi` command's. */
export function processMachine(): Machine {
  machine ??= new Machine(realSystem);
  return machine;
}

const hostMachines = new Map<string, Machine>();

/** This process's folder for its connections' sockets, made with its first host machine. */
let sockets: string | undefined;

/**
 * The machine of another host, reached over SSH (ssh.ts): one per host for the process's life, so
 * that its commands share one connection and one answer to "is this host fit". The connections'
 * sockets are in a folder of this process's own (`pulumi-netns-ssh.*` in the temporary folder,
 * only its user can enter it), which goes with them when {@link closeHostMachines} closes them.
 */
export function hostMachine(host: Host): Machine {
  const key = hostKey(host);
  let found = hostMachines.get(key);
  if (found === undefined) {
    if (sockets === undefined) {
      const { mkdtempSync } = require("node:fs") as typeof import("node:fs");
      const { tmpdir } = require("node:os") as typeof import("node:os");
      // Its pid in the name: after a kill, scripts/recover closes the connections of a process gone (stop-plugins.ts).
      sockets = mkdtempSync(`${tmpdir()}/pulumi-netns-ssh.${process.pid}.`);
      // The engine ends a plugin with SIGINT, and kills it 5 s later: the connections close first,
      // rather than linger for their ControlPersist after the command that used them.
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, closeOnSignal);
    }
    // One socket per host as declared, not per destination (ssh's %C): a host given with another
    // key or ssh_config must make its own login, not ride on a connection that another one made.
    found = new Machine(new SshSystem(host, processMachine().system, `${sockets}/${hostMachines.size}`));
    hostMachines.set(key, found);
  }
  return found;
}

/**
 * Closes every connection to other hosts (their kept-open shells end with them) and removes the
 * sockets' folder: what the provider process does when the engine ends it, and the sweep when it
 * is done. A host asked again afterwards gets a new connection.
 */
export async function closeHostMachines(): Promise<void> {
  const open = [...hostMachines.values()];
  hostMachines.clear();
  await Promise.allSettled(open.map((machine) => (machine.system as SshSystem).close()));
  removeSockets();
}

/**
 * {@link closeHostMachines} as the process ends on a signal, then the end. Each `ssh -O exit` is
 * started here, not by the launcher: the signal went to the whole process group, the launcher too.
 */
function closeOnSignal(): void {
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  for (const machine of hostMachines.values()) {
    const argv = (machine.system as SshSystem).closing();
    if (argv !== undefined) spawnSync(argv[0] as string, argv.slice(1), { stdio: "ignore", timeout: 2000 });
  }
  hostMachines.clear();
  removeSockets();
  process.exit(130);
}

function removeSockets(): void {
  if (sockets === undefined) return;
  const { rmSync } = require("node:fs") as typeof import("node:fs");
  rmSync(sockets, { recursive: true, force: true });
  sockets = undefined;
}

/** Why `host` cannot be used (unreachable, refused, no `ip`, no root), asked once per process; undefined when it is fit. */
export function hostProblem(host: Host): Promise<string | undefined> {
  return (hostMachine(host).system as SshSystem).problem();
}

/**
 * What a resource on a host that cannot be used fails with: the host's problem (which holds the
 * command that reproduces the check), then what was not touched. A failure of the host, not of
 * the resource's inputs, so not a check failure, which the engine would print as a bad `host`
 * property. The engine stops at the first: the resources of the stack on that host are named
 * from this machine's roster (records/roster.ts), since the host's own ledger is out of reach.
 */
async function hostDown(host: Host, problem: string, owner: unknown): Promise<string> {
  const label = hostLabel(host);
  const there = await livingOn(processMachine(), host, owner);
  const which =
    there.length === 0
      ? "This stack has nothing there yet that this machine knows of."
      : `This stack's resources there (${there.length}), none of them touched: ${there.join(", ")}.`;
  return `${problem}\nNothing was changed on "${label}". ${which}`;
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
 * The provider for `kind` on `on` (by default this process's machine), as the engine calls it; a
 * resource with a `host` is the provider's on that host's machine ({@link hostMachine}). What it
 * creates is in the ledger (ledger.ts) of the machine it is on from just before it is made until
 * it is deleted, or found gone.
 */
export function providerFor(kind: Kind, on?: Machine): DynamicProvider {
  const Provider = providerClass(kind);
  const here = new Provider(on ?? processMachine());
  const there = new Map<string, { provider: InstanceType<ProviderClass>; on: Machine }>();
  /** The kind's provider on the machine of `host` (this one when absent), and that machine. */
  const at = (host: Host | undefined) => {
    if (host === undefined) return { provider: here, on: on ?? processMachine() };
    let found = there.get(hostKey(host));
    if (found === undefined) {
      const machine = hostMachine(host);
      found = { provider: new Provider(machine), on: machine };
      there.set(hostKey(host), found);
    }
    return found;
  };
  const noted: Pick<DynamicProvider, (typeof methods)[number]> = {
    // `host` is every kind's, checked here: the kind checks the rest on the host's machine (a
    // program's path is looked up there). A host that cannot be reached, or is unfit, fails here,
    // at preview, before anything changes on any host.
    async check(olds, news) {
      const { host: given, ...rest } = news as Record<string, unknown>;
      if (given === undefined) return here.check(olds, rest);
      if (!known(given)) {
        // Not known until `up`, where check runs again with the value: the rest is checked here for now.
        const checked = await here.check(olds, rest);
        return checked.inputs === undefined ? checked : { ...checked, inputs: { ...checked.inputs, host: given } };
      }
      const host = hostRule(given);
      if (isProblem(host))
        return { failures: [{ property: "host", reason: `${host.problem}; got ${describeValue(given)}` }] };
      const problem = await hostProblem(host);
      if (problem !== undefined) throw new Error(await hostDown(host, problem, rest.owner));
      const checked = await at(host).provider.check(olds, rest);
      return checked.inputs === undefined ? checked : { ...checked, inputs: { ...checked.inputs, host } };
    },
    // A resource moved to another host is a new object there: replaced, the old one deleted first
    // (two spellings of one host, an alias and its address, would clash on names).
    async diff(id, olds, news) {
      const found = await here.diff(id, olds, news);
      if (hostKey(olds.host) === hostKey(news.host)) return found;
      return { ...found, changes: true, replaces: [...(found.replaces ?? []), "host"], deleteBeforeReplace: true };
    },
    async create(inputs) {
      const { provider, on } = at(inputs.host);
      if (inputs.host === undefined) return createNoted(provider, on, inputs);
      // Noted here before it is made there: a sweep after a run killed now still finds the host.
      const host = inputs.host as Host;
      const id = provider.id(inputs);
      await noteOnHost(processMachine(), host, kind, id, inputs.owner);
      try {
        const created = await createNoted(provider, on, inputs);
        return { ...created, outs: { ...created.outs, host } };
      } catch (e) {
        await forgetOnHost(processMachine(), host, kind, id, inputs.owner);
        throw e;
      }
    },
    async delete(id, props) {
      const { provider, on } = at(props.host);
      // Another resource of the stack holds the object now (handover.ts): only this one's records go.
      if (provider.release !== undefined && (await takeHandedOver(on, { kind, id }, props.owner))) {
        await provider.release(id, props);
      } else await provider.delete(id, props);
      if (provider.makesNothing !== true) await forgetMade(on, kind, id, props);
      if (props.host !== undefined) await forgetOnHost(processMachine(), props.host, kind, id, props.owner);
    },
    // The mark on the machine names whoever created the object, and stays. A resource renamed with
    // an alias (as StarLab's children were) gets a new `owner` input, which must not become its
    // state: its read, update and delete would look for a mark that is not there.
    async update(id, olds, news) {
      const updated = await at(olds.host).provider.update(id, olds, { ...news, owner: olds.owner });
      return olds.host === undefined ? updated : { ...updated, outs: { ...updated.outs, host: olds.host } };
    },
    async read(id, props) {
      const { provider, on } = at(props?.host);
      if (isLookUp(props)) return lookUp(provider, id);
      const read = await provider.read(id, props);
      // Gone (or not ours any more): the engine drops it without a delete, so its records go, unless
      // what it left behind (remains) is still there for a sweep to delete.
      if (read.id === undefined && !(await provider.remains?.(props ?? {}))) {
        if (provider.makesNothing !== true) await forgetMade(on, kind, id, props ?? {});
        if (props?.host !== undefined) await forgetOnHost(processMachine(), props.host, kind, id, props.owner);
      }
      if (read.id === undefined || props?.host === undefined) return read;
      return { ...read, props: { ...read.props, host: props.host } };
    },
  };
  /** The kind's create, recorded in the host's ledger from just before it until it is deleted. */
  async function createNoted(provider: InstanceType<ProviderClass>, on: Machine, inputs: Record<string, unknown>) {
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
  }
  // Pulumi's wire format (a protobuf Struct) has no `undefined`: a property that is absent (the
  // root namespace, an undeclared MTU) must be left out, not set to undefined, or the call fails
  // with "Unexpected struct type". Cleaned here once for every kind and method.
  const wire = Object.create(here) as Record<string, unknown>;
  for (const method of methods) {
    const call = noted[method] as (...args: unknown[]) => Promise<unknown>;
    wire[method] = async (...args: unknown[]) => withoutUndefined(await call(...args));
  }
  return wire as unknown as DynamicProvider;
}

/**
 * True for a read with no state at all (only the dynamic provider's own `__provider`): a resource's
 * `.get()` (program/resource.ts), which names the object by its id alone.
 */
function isLookUp(props: Record<string, unknown> | undefined): boolean {
  return Object.keys(props ?? {}).every((key) => key === "__provider");
}

/** The object `id` names, read by the kind's `adopt` without an owner: looked at, not taken. */
async function lookUp(provider: InstanceType<ProviderClass>, id: string) {
  if (provider.adopt === undefined) {
    throw new Error(
      `pulumi-netns: this kind cannot be looked up by id (.get() takes a namespace, a veth pair, an address, a route, a sysctl or a bridge)`,
    );
  }
  const found = (await provider.adopt(id, undefined)) as Record<string, unknown> | undefined;
  return found === undefined ? {} : { id: provider.id(found), props: found, inputs: found };
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
