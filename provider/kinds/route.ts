/**
 * Route, provider half: a route in a routing table, as added by
 * `ip route add DESTINATION via GATEWAY dev DEVICE`.
 */
import { familyOf } from "../commands/address.js";
import { importId, interfaceName } from "../commands/names.js";
import {
  MAIN_TABLE,
  type RouteSpec,
  routeAdd,
  routeDelete,
  routeDestination,
  routeGateway,
  routeReplace,
} from "../commands/route.js";
import { ignoreNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { routesIn } from "../machine/reads.js";
import { isSameStack, readMark } from "../records/ownership.js";
import { isProblem, wholeNumber } from "../rule.js";
import { checkInputs, known, netnsInput, number, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { createOrAdopt } from "./base/lifecycle.js";

export interface RouteInputs {
  destination: string;
  via?: string | undefined;
  device?: string | undefined;
  netns?: string | undefined;
  metric?: number | undefined;
  table?: number | undefined;
  /** Who made it (see ownership.ts). */
  owner?: string | undefined;
}

export type RouteState = RouteInputs;

/** What the kernel knows the route by, with the defaults it applies. */
export function routeSpec(p: RouteInputs): RouteSpec {
  const family = p.destination !== "default" ? familyOf(p.destination) : p.via !== undefined ? familyOf(p.via) : 4;
  return {
    family,
    destination: p.destination,
    via: p.via,
    device: p.device,
    metric: p.metric ?? (family === 6 ? 1024 : 0),
    table: p.table ?? MAIN_TABLE,
  };
}

/** A route's id: what its ledger record, and a NetnsConfig taking it over, know it by. */
export function routeId(netns: string | undefined, spec: RouteSpec): string {
  return `${netns ?? ""}/table ${spec.table}/${spec.destination}/metric ${spec.metric}`;
}

export default class RouteProvider implements KindProvider<RouteInputs, RouteState> {
  constructor(private readonly machine: Machine) {}

  id(p: RouteInputs): string {
    return routeId(p.netns, routeSpec(p));
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<RouteInputs>(
      (z) =>
        z.object({
          destination: text(z, routeDestination),
          via: text(z, routeGateway).optional(),
          device: text(z, interfaceName).optional(),
          netns: netnsInput(z),
          metric: number(z, wholeNumber(0, 4294967295)).optional(),
          table: number(z, wholeNumber(1, 4294967295)).optional(),
          owner: ownerInput(z),
        }),
      news,
      (inputs) => {
        if (inputs.via === undefined && inputs.device === undefined) {
          return [{ property: "via", reason: "a route needs a gateway (via), a device, or both; got neither" }];
        }
        if (
          inputs.via !== undefined &&
          known(inputs.via) &&
          known(inputs.destination) &&
          inputs.destination !== "default"
        ) {
          const [d, v] = [familyOf(inputs.destination), familyOf(inputs.via)];
          if (d !== v) {
            return [
              {
                property: "via",
                reason: `must be an IPv${d} address like the destination ${inputs.destination}; got "${inputs.via}" (IPv${v})`,
              },
            ];
          }
        }
        return [];
      },
    );
  }

  async diff(_id: string, olds: RouteState, news: RouteInputs) {
    const replaces: string[] = (["destination", "netns", "metric", "table"] as const).filter(
      (key) => olds[key] !== news[key],
    );
    const updates = (["via", "device"] as const).filter((key) => olds[key] !== news[key]);
    // A default route whose gateway changes family is another route, not an update.
    if (routeSpec(olds).family !== routeSpec(news).family && !replaces.includes("destination")) replaces.push("via");
    return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: true };
  }

  async create(inputs: RouteInputs): Promise<Created<RouteState>> {
    const spec = routeSpec(inputs);
    const netns = this.machine.netns(inputs.netns);
    const { adopted } = await createOrAdopt(
      `A route to ${spec.destination} (metric ${spec.metric}, table ${spec.table})`,
      netns.argv(routeDelete(spec)),
      () => netns.change(routeAdd(spec)),
      // Left by a run of this stack that was cut short: in a namespace, or through a device, it made.
      async () => {
        const marked = inputs.netns !== undefined ? "lo" : inputs.device;
        return marked !== undefined && isSameStack(await readMark(netns, marked), inputs.owner);
      },
    );
    if (adopted) await netns.change(routeReplace(spec));
    return { id: this.id(inputs), outs: { ...inputs } };
  }

  async read(id: string, props: RouteState) {
    const spec = routeSpec(props);
    const routes = await routesIn(this.machine.netns(props.netns), spec.family, spec.table);
    const live = routes?.find((r) => r.destination === spec.destination && r.metric === spec.metric);
    if (live === undefined) return {};
    // Only what was declared is compared: a gateway-only route's device is the kernel's choice.
    const state: RouteState = { ...props };
    if (props.via !== undefined) state.via = live.gateway;
    if (props.device !== undefined) state.device = live.device;
    return { id, props: state, inputs: state };
  }

  /**
   * Imported as `[NETNS/]DESTINATION` (`default`, IPv4's, or `ADDRESS/PREFIX`): the route of the
   * main table to that destination with the lowest metric, its gateway and device as the kernel has
   * them. A route has no mark of its own: it is the stack's as long as the state holds it.
   */
  async adopt(id: string, owner: string | undefined): Promise<RouteState | undefined> {
    const form = "[NETNS/]DESTINATION, DESTINATION default or ADDRESS/PREFIX";
    const any = (part: string) => part;
    const { netns, rest } = importId(id, form, id.endsWith("default") ? [any] : [any, any]);
    const destination = routeDestination(rest.join("/"));
    if (isProblem(destination))
      throw new Error(`import id ${JSON.stringify(id)} must have the form ${form}: ${destination.problem}`);
    const family = destination === "default" ? 4 : familyOf(destination);
    const found = await routesIn(this.machine.netns(netns), family, MAIN_TABLE);
    const live = found?.filter((r) => r.destination === destination).sort((a, b) => a.metric - b.metric)[0];
    if (live === undefined) return undefined;
    const state: RouteState = { destination, owner };
    if (netns !== undefined) state.netns = netns;
    if (live.gateway !== undefined) state.via = live.gateway;
    if (live.device !== undefined) state.device = live.device;
    // Stored only where it is not the family's default, as check leaves it.
    if (live.metric !== routeSpec(state).metric) state.metric = live.metric;
    return state;
  }

  async update(_id: string, _olds: RouteState, news: RouteInputs): Promise<Updated<RouteState>> {
    await this.machine.netns(news.netns).change(routeReplace(routeSpec(news)));
    return { outs: { ...news } };
  }

  /** Taken over by a NetnsConfig (records/handover.ts): nothing of its own to forget. */
  async release() {}

  async delete(_id: string, props: RouteState) {
    await ignoreNotFound(() => this.machine.netns(props.netns).change(routeDelete(routeSpec(props))));
  }
}
