/**
 * Route: a route in a routing table, as added by `ip route add DESTINATION via GATEWAY dev DEVICE`.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  type Created,
  checkInputs,
  forwarder,
  known,
  netnsField,
  parsedString,
  ruleString,
  type Updated,
  wholeNumber,
} from "../dynamic.js";
import { type Family, hostBitsSet, networkOf, parseCidr, parseIp } from "../iproute/address.js";
import { interfaceNameProblem } from "../iproute/names.js";
import { MAIN_TABLE, type RouteSpec, routeAdd, routeDelete, routeReplace } from "../iproute/route.js";
import { createOrAdopt, ignoreNotFound } from "../lifecycle.js";
import { ownerOf } from "../owner.js";
import { isSameStack, readMark } from "../ownership.js";
import { routesIn } from "../reads.js";
import { ipArgv, type Runner, runIp } from "../runner.js";

export interface RouteArgs {
  /**
   * Where the route leads: a network in CIDR notation (`10.1.20.0/24`, `fd00:20::/64`) or `default`.
   * A destination with host bits set (`10.1.20.5/24`) is refused, not silently truncated.
   * Changing it replaces the route.
   */
  destination: pulumi.Input<string>;
  /** The gateway (`via GATEWAY`), of the destination's family. Updated in place (`ip route replace`). */
  via?: pulumi.Input<string> | undefined;
  /** The outgoing device (`dev DEVICE`). Updated in place. At least one of `via` and `device` is needed. */
  device?: pulumi.Input<string> | undefined;
  /**
   * The namespace whose routing table it goes in (`ip -n NETNS …`). Changing it replaces the route.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
  /**
   * The route's metric (`metric METRIC`), 0 to 4294967295. Changing it replaces the route.
   * @default the kernel's: 0 for IPv4, 1024 for IPv6
   */
  metric?: pulumi.Input<number> | undefined;
  /**
   * The routing table's number (`table TABLE`), 1 to 4294967295. Changing it replaces the route.
   * @default 254, the main table
   */
  table?: pulumi.Input<number> | undefined;
}

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

/** A network in CIDR notation without host bits, or `default`. */
export function normaliseDestination(text: string): string | { problem: string } {
  if (text === "default") return text;
  const cidr = parseCidr(text);
  if (typeof cidr === "string") return { problem: `${cidr}, or be "default"` };
  if (hostBitsSet(cidr)) {
    return { problem: `has host bits set; the network is ${networkOf(cidr)}` };
  }
  return `${cidr.address}/${cidr.prefixLength}`;
}

function normaliseGateway(text: string): string | { problem: string } {
  const ip = parseIp(text);
  return typeof ip === "string" ? { problem: `${ip} (a gateway is an address without a prefix length)` } : ip.address;
}

function familyOf(address: string): Family {
  return address.includes(":") ? 6 : 4;
}

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

export class RouteProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly runner: Runner) {}

  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<RouteInputs>> {
    return checkInputs<RouteInputs>(
      (z) =>
        z.object({
          destination: parsedString(z, normaliseDestination),
          via: parsedString(z, normaliseGateway).optional(),
          device: ruleString(z, interfaceNameProblem).optional(),
          netns: netnsField(z),
          metric: wholeNumber(z, 0, 4294967295).optional(),
          table: wholeNumber(z, 1, 4294967295).optional(),
          owner: z.string().optional(),
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

  async diff(_id: string, olds: RouteState, news: RouteInputs): Promise<pulumi.dynamic.DiffResult> {
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
    const { adopted } = await createOrAdopt(
      `A route to ${spec.destination} (metric ${spec.metric}, table ${spec.table})`,
      ipArgv(routeDelete(spec), { netns: inputs.netns }),
      () => runIp(this.runner, routeAdd(spec), { netns: inputs.netns }),
      // Left by a run of this stack that was cut short: in a namespace, or through a device, it made.
      async () => {
        const marked = inputs.netns !== undefined ? "lo" : inputs.device;
        return marked !== undefined && isSameStack(await readMark(this.runner, marked, inputs.netns), inputs.owner);
      },
    );
    if (adopted) await runIp(this.runner, routeReplace(spec), { netns: inputs.netns });
    return { id: routeId(inputs), outs: { ...inputs } };
  }

  async read(id: string, props: RouteState): Promise<pulumi.dynamic.ReadResult<RouteState>> {
    const spec = routeSpec(props);
    const routes = await routesIn(this.runner, props.netns, spec.family, spec.table);
    const live = routes?.find((r) => r.destination === spec.destination && r.metric === spec.metric);
    if (live === undefined) return {};
    // Only what was declared is compared: a gateway-only route's device is the kernel's choice.
    const state: RouteState = { ...props };
    if (props.via !== undefined) state.via = live.gateway;
    if (props.device !== undefined) state.device = live.device;
    return { id, props: state, inputs: state };
  }

  async update(_id: string, _olds: RouteState, news: RouteInputs): Promise<Updated<RouteState>> {
    await runIp(this.runner, routeReplace(routeSpec(news)), { netns: news.netns });
    return { outs: { ...news } };
  }

  async delete(_id: string, props: RouteState): Promise<void> {
    await ignoreNotFound(() => runIp(this.runner, routeDelete(routeSpec(props)), { netns: props.netns }));
  }
}

function routeId(p: RouteInputs): string {
  const spec = routeSpec(p);
  return `${p.netns ?? ""}/table ${spec.table}/${spec.destination}/metric ${spec.metric}`;
}

/**
 * A route.
 *
 * Equivalent to: `ip -n NETNS route add DESTINATION via GATEWAY dev DEVICE metric METRIC table TABLE`.
 */
export class Route extends pulumi.dynamic.Resource {
  declare readonly destination: pulumi.Output<string>;
  declare readonly via: pulumi.Output<string | undefined>;
  declare readonly device: pulumi.Output<string | undefined>;
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly metric: pulumi.Output<number | undefined>;
  declare readonly table: pulumi.Output<number | undefined>;

  constructor(name: string, args: RouteArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      forwarder("Route"),
      name,
      {
        destination: args.destination,
        via: args.via,
        device: args.device,
        netns: args.netns,
        metric: args.metric,
        table: args.table,
        owner: ownerOf(name),
      },
      opts,
      "netns",
      "Route",
    );
  }
}
