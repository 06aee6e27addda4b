/**
 * NetnsConfig, provider half: what one namespace holds beyond its links (its addresses, the routes
 * of its main table, its sysctls) as one resource. Addresses and routes go in with one
 * `ip -force -batch -` (each failure told by its object), and are read back with the namespace's
 * shared reads. It is what Topology makes per node: a resource per object cost the engine's toll
 * (about 20 ms of CPU each) for a command that takes the kernel a fraction of a millisecond.
 *
 * Each object is a key of a map (an address, a destination, a sysctl key), so a preview names the
 * objects that change and drift of one route shows as that route.
 */
import { addressAdd, addressChange, addressDelete, cidr, familyOf } from "../commands/address.js";
import { interfaceName, sysctlKey } from "../commands/names.js";
import { keyedRoute, routeGateway, routeKey, routeLine } from "../commands/route.js";
import { normaliseSysctlValue, sysctlPath } from "../commands/sysctl.js";
import { type IpCommandError, isFailure } from "../errors.js";
import type { Machine, Netns } from "../machine/machine.js";
import { linksIn, routesIn } from "../machine/reads.js";
import { dropHandOvers, type Held, handOver } from "../records/handover.js";
import { JOURNAL_ROOT, recall, sysctlFolder } from "../records/journal.js";
import { isSameStack, stackOf } from "../records/ownership.js";
import {
  checkInputs,
  describeValue,
  keyed,
  known,
  netnsInput,
  onlyWhenTrue,
  ownerInput,
  sysctlValueInput,
  text,
} from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { undoOnFailure } from "./base/lifecycle.js";
import { addressId } from "./ip-address.js";
import { routeId } from "./route.js";

/** A route of the main table: its gateway, its device, or both. */
export interface ConfigRoute {
  via?: string | undefined;
  device?: string | undefined;
}

export interface NetnsConfigInputs {
  /** The namespace; undefined for the root namespace (which takes no sysctls here). */
  netns?: string | undefined;
  /** Each address, with its prefix length, and the device it is on. */
  addresses: Record<string, string>;
  /** Each route of the main table by its destination (`default` for IPv4's default, `::/0` for IPv6's). */
  routes: Record<string, ConfigRoute>;
  /** Sysctls under `net.`, as the namespace sees them: a named namespace's only. */
  sysctls: Record<string, string>;
  /** IPv6 addresses skip duplicate address detection. Stored only when true. */
  nodad?: true | undefined;
  /** Who made it (see ownership.ts). */
  owner?: string | undefined;
}

export interface NetnsConfigState extends NetnsConfigInputs {
  /** Each sysctl's value before the first write, put back when it is no longer declared. */
  previous: Record<string, string>;
}

export default class NetnsConfigProvider implements KindProvider<NetnsConfigInputs, NetnsConfigState> {
  constructor(private readonly machine: Machine) {}

  id(p: NetnsConfigInputs): string {
    return p.netns ?? "";
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<NetnsConfigInputs>(
      (z) =>
        z.object({
          netns: netnsInput(z),
          addresses: keyed(z, cidr, text(z, interfaceName)),
          routes: keyed(
            z,
            routeKey,
            z.strictObject(
              { via: text(z, routeGateway).optional(), device: text(z, interfaceName).optional() },
              { error: (issue) => `must be { via, device }, got ${describeValue(issue.input)}` },
            ),
          ),
          sysctls: keyed(z, sysctlKey, sysctlValueInput(z)),
          nodad: onlyWhenTrue(z),
          owner: ownerInput(z),
        }),
      news,
      (p) => [...routeProblems(p), ...sysctlProblems(p)],
    );
  }

  async diff(_id: string, olds: NetnsConfigState, news: NetnsConfigInputs) {
    const replaces = olds.netns === news.netns ? [] : ["netns"];
    const changes = (["addresses", "routes", "sysctls", "nodad"] as const).some(
      (key) => JSON.stringify(sorted(olds[key])) !== JSON.stringify(sorted(news[key])),
    );
    return { changes: changes || replaces.length > 0, replaces, deleteBeforeReplace: true };
  }

  async create(inputs: NetnsConfigInputs): Promise<Created<NetnsConfigState>> {
    const netns = this.machine.netns(inputs.netns);
    const previous = await this.setSysctls(netns, inputs, Object.keys(inputs.sysctls));
    const added = [
      ...addressAdds(inputs, Object.keys(inputs.addresses)),
      ...routeAdds(inputs, Object.keys(inputs.routes), "add"),
    ];
    // The whole batch refused (no `ip`, the namespace gone): the sysctls go back as they were.
    const failures = await undoOnFailure(
      () => netns.batch(added.map((a) => a.args)),
      () => this.putBack(netns, inputs.sysctls, previous),
    );
    if (failures.size > 0) {
      const ours = await this.isOurs(netns, inputs);
      const refused = [...failures].filter(([i, e]) => !(isFailure(e, "already-exists") && ours(added[i] as Change)));
      if (refused.length > 0) {
        // All or nothing: what went in goes again, and the sysctls are put back.
        await netns.batch(added.filter((_, i) => !failures.has(i)).map((a) => a.undo));
        await this.putBack(netns, inputs.sysctls, previous);
        throw new Error(describeFailures(`NetnsConfig${where(inputs)}`, refused, added, true));
      }
      // Left by a run of this stack: a killed run of this resource, or the resources of a release
      // that made one per object, which let go of what this one now holds (handover.ts).
      const adopted = [...failures.keys()].map((i) => added[i] as Change);
      await netns.batch(adopted.flatMap((a) => (a.adopt === undefined ? [] : [a.adopt])));
      for (const change of adopted) await handOver(this.machine, change.held, inputs.owner);
    }
    return { id: this.id(inputs), outs: { ...inputs, previous } };
  }

  async read(id: string, props: NetnsConfigState) {
    const netns = this.machine.netns(props.netns);
    const links = await linksIn(netns);
    if (links === undefined) return {};
    const addresses: Record<string, string> = {};
    for (const [address, device] of Object.entries(props.addresses)) {
      const on = links.find((l) => l.addresses.includes(address)) ?? undefined;
      if (on !== undefined) addresses[address] = on.ifname === device ? device : on.ifname;
    }
    const routes: Record<string, ConfigRoute> = {};
    for (const [key, route] of Object.entries(props.routes)) {
      const spec = keyedRoute(key, route);
      const live = (await routesIn(netns, spec.family, spec.table))?.find(
        (r) => r.destination === spec.destination && r.metric === spec.metric,
      );
      if (live === undefined) continue;
      // Only what was declared is compared: a gateway-only route's device is the kernel's choice.
      routes[key] = {
        ...(route.via === undefined ? {} : { via: live.gateway }),
        ...(route.device === undefined ? {} : { device: live.device }),
      };
    }
    const sysctls = await readSysctls(netns, Object.keys(props.sysctls));
    const live = { ...props, addresses, routes, sysctls: definedOnly(sysctls) };
    const { previous: _previous, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(_id: string, olds: NetnsConfigState, news: NetnsConfigInputs): Promise<Updated<NetnsConfigState>> {
    const netns = this.machine.netns(news.netns);
    const [removedAddresses, addedAddresses] = changedKeys(olds.addresses, news.addresses);
    const removedRoutes = Object.keys(olds.routes).filter((k) => !(k in news.routes));
    const addedRoutes = Object.keys(news.routes).filter((k) => !(k in olds.routes));
    const movedRoutes = Object.keys(news.routes).filter(
      (k) => k in olds.routes && JSON.stringify(sorted(olds.routes[k])) !== JSON.stringify(sorted(news.routes[k])),
    );
    // Routes first out and last in: a route's gateway is on a network an address makes.
    const removals = [...routeDeletes(olds, removedRoutes), ...addressDeletes(olds, removedAddresses)];
    const kept = Object.keys(news.addresses).filter((a) => !addedAddresses.includes(a) && familyOf(a) === 6);
    const additions = [
      ...(olds.nodad === news.nodad ? [] : addressFlags(news, kept)),
      ...addressAdds(news, addedAddresses),
      ...routeAdds(news, addedRoutes, "add"),
      // A route kept under its key with another gateway or device changes in one step.
      ...routeAdds(news, movedRoutes, "replace"),
    ];
    const removed = [...(await netns.batch(removals.map((r) => r.args)))].filter(([, e]) => !isFailure(e, "not-found"));
    const added = [...(await netns.batch(additions.map((a) => a.args)))];
    const previous = { ...olds.previous };
    for (const key of Object.keys(olds.sysctls)) if (!(key in news.sysctls)) delete previous[key];
    const newKeys = Object.keys(news.sysctls).filter((k) => !(k in olds.sysctls));
    Object.assign(previous, await this.setSysctls(netns, news, newKeys));
    await writeSysctls(
      netns,
      Object.fromEntries(
        Object.entries(news.sysctls).filter(([key, value]) => key in olds.sysctls && olds.sysctls[key] !== value),
      ),
    );
    await this.putBack(netns, without(olds.sysctls, news.sysctls), olds.previous);
    const problems = [
      ...(removed.length > 0 ? [describeFailures("removing", removed, removals, false)] : []),
      ...(added.length > 0 ? [describeFailures("adding", added, additions, false)] : []),
    ];
    if (problems.length > 0) throw new Error(`NetnsConfig${where(news)}, ${problems.join("\n")}`);
    return { outs: { ...news, previous } };
  }

  async delete(_id: string, props: NetnsConfigInputs & Partial<NetnsConfigState>) {
    const netns = this.machine.netns(props.netns);
    const removals = [
      ...routeDeletes(props, Object.keys(props.routes)),
      ...addressDeletes(props, Object.keys(props.addresses)),
    ];
    // A namespace that is gone took everything in it along.
    if (props.netns !== undefined && (await linksIn(netns)) === undefined) {
      await dropHandOvers(
        this.machine,
        removals.map((r) => r.held),
        props.owner,
      );
      return;
    }
    const failures = [...(await netns.batch(removals.map((r) => r.args)))].filter(
      ([, e]) => !isFailure(e, "not-found"),
    );
    await this.putBack(netns, props.sysctls, props.previous ?? {});
    await dropHandOvers(
      this.machine,
      removals.map((r) => r.held),
      props.owner,
    );
    if (failures.length > 0) throw new Error(describeFailures(`NetnsConfig${where(props)}`, failures, removals, false));
  }

  /**
   * Sets `keys` of `p.sysctls` (each read first, all in one command) and returns the values found,
   * to put back. A key taken over from a Sysctl of the stack (handover.ts) keeps the value that
   * Sysctl found, from its record.
   */
  private async setSysctls(netns: Netns, p: NetnsConfigInputs, keys: string[]): Promise<Record<string, string>> {
    if (keys.length === 0) return {};
    const found = await readSysctls(netns, keys);
    const missing = keys.filter((k) => found[k] === undefined);
    if (missing.length > 0) {
      throw new Error(
        `NetnsConfig${where(p)}: no sysctl ${missing.join(", ")} there (no ${missing.map(sysctlPath).join(", ")}).`,
      );
    }
    const previous: Record<string, string> = {};
    for (const key of keys) {
      const value = p.sysctls[key] as string;
      previous[key] = (found[key] === value ? await this.handedSysctl(p, key) : undefined) ?? (found[key] as string);
    }
    const changed = keys.filter((k) => found[k] !== p.sysctls[k]);
    await undoOnFailure(
      () => writeSysctls(netns, Object.fromEntries(changed.map((k) => [k, p.sysctls[k] as string]))),
      () => this.putBack(netns, p.sysctls, previous),
    );
    const now = await readSysctls(netns, keys);
    const refused = keys.filter((k) => now[k] !== p.sysctls[k]);
    if (refused.length > 0) {
      await this.putBack(netns, p.sysctls, previous);
      const said = refused.map((k) => `${k} = "${p.sysctls[k]}" (it reads back "${now[k]}")`);
      throw new Error(
        `NetnsConfig${where(p)}: the kernel did not take ${said.join(", ")}; the values found were put back.`,
      );
    }
    return previous;
  }

  /** The value a Sysctl of the same stack found before it set `key`, when one did; its record stays its own. */
  private async handedSysctl(p: NetnsConfigInputs, key: string): Promise<string | undefined> {
    if (p.owner === undefined) return undefined;
    const folder = sysctlFolder(p.netns, key);
    for (const name of await this.machine.listFiles(`${JOURNAL_ROOT}/${folder}`)) {
      const owner = decodeURIComponent(name);
      if (owner === p.owner || stackOf(owner) !== stackOf(p.owner)) continue;
      await handOver(this.machine, { kind: "Sysctl", id: `${p.netns ?? ""}/${key}` }, p.owner);
      return recall(this.machine, `${folder}/${name}`);
    }
    return undefined;
  }

  /** Writes back the value found before, for each of `sysctls` that has one; a key gone with its namespace is left. */
  private async putBack(netns: Netns, sysctls: Record<string, string>, previous: Record<string, string>) {
    const values = Object.keys(sysctls).flatMap((key) => {
      const value = previous[key];
      return value === undefined ? [] : [[key, value] as const];
    });
    await writeSysctls(netns, Object.fromEntries(values), "skip gone");
  }

  /** Whether an object that exists already is this stack's: in a namespace, or on a device, that it marked. */
  private async isOurs(netns: Netns, p: NetnsConfigInputs): Promise<(change: Change) => boolean> {
    const links = (await linksIn(netns)) ?? [];
    const marked = (device: string | undefined) =>
      device !== undefined && isSameStack(links.find((l) => l.ifname === device)?.alias, p.owner);
    return (change) => (p.netns !== undefined ? marked("lo") : marked(change.device));
  }
}

/** One object's command in a batch: how it is undone, adopted, and known to the resource that held it before. */
interface Change {
  args: string[];
  undo: string[];
  /** What makes the object found there exactly this one (a route's gateway, an address's flag). */
  adopt?: string[] | undefined;
  held: Held;
  device: string | undefined;
  what: string;
}

function addressAdds(p: NetnsConfigInputs, keys: string[]): Change[] {
  return keys.map((address) => {
    const device = p.addresses[address] as string;
    const nodad = p.nodad === true && familyOf(address) === 6;
    return {
      args: addressAdd(address, device, nodad),
      undo: addressDelete(address, device),
      adopt: nodad ? addressChange(address, device, true) : undefined,
      held: { kind: "IpAddress", id: addressId({ netns: p.netns, device, address }) },
      device,
      what: `address ${address} on ${device}`,
    };
  });
}

function addressDeletes(p: Pick<NetnsConfigInputs, "netns" | "addresses">, keys: string[]): Change[] {
  return keys.map((address) => {
    const device = p.addresses[address] as string;
    return {
      args: addressDelete(address, device),
      undo: addressAdd(address, device),
      held: { kind: "IpAddress", id: addressId({ netns: p.netns, device, address }) },
      device,
      what: `address ${address} on ${device}`,
    };
  });
}

/** `ip address change` of each of `keys`, to set its `nodad` flag as `p` says. */
function addressFlags(p: NetnsConfigInputs, keys: string[]): Change[] {
  return addressAdds(p, keys).map((c, i) => {
    const address = keys[i] as string;
    return { ...c, args: addressChange(address, p.addresses[address] as string, p.nodad === true) };
  });
}

/** The keys of `olds` that went or moved to another value, and those of `news` that came or moved. */
function changedKeys(olds: Record<string, string>, news: Record<string, string>): [string[], string[]] {
  return [Object.keys(olds).filter((k) => news[k] !== olds[k]), Object.keys(news).filter((k) => news[k] !== olds[k])];
}

/** The entries of `olds` whose keys `news` no longer has. */
function without(olds: Record<string, string>, news: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(olds).filter(([k]) => !(k in news)));
}

function routeAdds(p: NetnsConfigInputs, keys: string[], verb: "add" | "replace"): Change[] {
  return keys.map((key) => {
    const spec = keyedRoute(key, p.routes[key] as ConfigRoute);
    return {
      args: routeLine(verb, spec),
      undo: routeLine("delete", spec),
      adopt: routeLine("replace", spec),
      held: { kind: "Route", id: routeId(p.netns, spec) },
      device: spec.device,
      what: `route to ${key}`,
    };
  });
}

function routeDeletes(p: Pick<NetnsConfigInputs, "netns" | "routes">, keys: string[]): Change[] {
  return keys.map((key) => {
    const spec = keyedRoute(key, p.routes[key] as ConfigRoute);
    return {
      args: routeLine("delete", spec),
      undo: routeLine("add", spec),
      held: { kind: "Route", id: routeId(p.netns, spec) },
      device: spec.device,
      what: `route to ${key}`,
    };
  });
}

/** One message for the failed lines of a batch: each object, with the kernel's words and the command. */
function describeFailures(
  head: string,
  failures: (readonly [number, IpCommandError])[],
  changes: Change[],
  undone: boolean,
): string {
  const lines = failures.map(
    ([i, e]) => `- ${changes[i]?.what ?? `line ${i + 1}`}: ${e.stderr.trim()} (${e.argv.join(" ")})`,
  );
  const exists = failures.some(([, e]) => isFailure(e, "already-exists"));
  return [
    `${head}: ${failures.length} of ${changes.length} ${changes.length === 1 ? "change" : "changes"} failed${undone ? "; what went in was taken out again" : ""}:`,
    ...lines,
    ...(exists
      ? [
          "An object that exists already and that this stack did not make is never taken over: remove it, or choose another.",
        ]
      : []),
  ].join("\n");
}

/**
 * Writes each sysctl its value: one write per distinct value, so that forwarding on in both
 * families is one `tee`. With "skip gone", a key gone with its namespace or device is no failure.
 */
async function writeSysctls(netns: Netns, values: Record<string, string>, gone?: "skip gone"): Promise<void> {
  const byValue = new Map<string, string[]>();
  for (const [key, value] of Object.entries(values))
    byValue.set(value, [...(byValue.get(value) ?? []), sysctlPath(key)]);
  for (const [value, paths] of byValue) {
    try {
      await netns.writeFiles(paths, value);
    } catch (e) {
      if (gone === undefined || !isFailure(e, "not-found")) throw e;
    }
  }
}

/** Each of `keys` as the namespace sees it (undefined where there is no such key): one `cat` for them all. */
async function readSysctls(netns: Netns, keys: string[]): Promise<Record<string, string | undefined>> {
  if (keys.length === 0) return {};
  try {
    const text = await netns.readFiles(keys.map(sysctlPath));
    return Object.fromEntries(
      keys.map((key, i) => [key, text[i] === undefined ? undefined : normaliseSysctlValue(text[i] as string)]),
    );
  } catch (e) {
    if (!isFailure(e, "not-found")) throw e;
    return {};
  }
}

function routeProblems(p: NetnsConfigInputs) {
  if (!known(p.routes)) return [];
  return Object.entries(p.routes).flatMap(([key, route]) => {
    if (route.via === undefined && route.device === undefined) {
      return [{ property: `routes.${key}`, reason: "a route needs a gateway (via), a device, or both; got neither" }];
    }
    const family = keyedRoute(key, route).family;
    if (route.via !== undefined && familyOf(route.via) !== family) {
      const hint = key === "default" ? ' (IPv6\'s default route is "::/0")' : "";
      return [
        {
          property: `routes.${key}.via`,
          reason: `must be an IPv${family} address like the destination${hint}; got "${route.via}"`,
        },
      ];
    }
    return [];
  });
}

function sysctlProblems(p: NetnsConfigInputs) {
  if (!known(p.sysctls)) return [];
  const keys = Object.keys(p.sysctls);
  if (keys.length > 0 && p.netns === undefined) {
    return [
      {
        property: "sysctls",
        reason:
          "are a named namespace's only: the root namespace's are the machine's, set them with Sysctl, which puts back what it found",
      },
    ];
  }
  return keys
    .filter((key) => !key.startsWith("net."))
    .map((key) => ({
      property: `sysctls.${key}`,
      reason:
        'must start with "net.": other sysctls are not per namespace, so setting one would change the whole machine',
    }));
}

function where(p: NetnsConfigInputs): string {
  return p.netns === undefined ? " in the root namespace" : ` in namespace "${p.netns}"`;
}

function sorted(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, sorted(v)]),
  );
}

function definedOnly(map: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter((e): e is [string, string] => e[1] !== undefined));
}
