/**
 * `ip route` argv builders and parsers: pure, no I/O.
 */
import { isProblem, type Problem, problem } from "../rule.js";
import { type Family, network, parseCidr, parseIp } from "./address.js";

/** The main routing table, where `ip route` works when no table is named. */
export const MAIN_TABLE = 254;

/** What identifies a route to the kernel, and what it goes through. */
export interface RouteSpec {
  family: Family;
  /** `default`, or a network in CIDR notation. */
  destination: string;
  via?: string | undefined;
  device?: string | undefined;
  metric: number;
  table: number;
}

/** A route's destination: a network in CIDR notation without host bits, or `default`. */
export function routeDestination(text: string): string | Problem {
  if (text === "default") return text;
  const parsed = parseCidr(text);
  if (isProblem(parsed)) return problem(`${parsed.problem}, or be "default"`);
  return network(text);
}

/**
 * A route of the main table named by its destination alone, as a map key (NetnsConfig): `default`
 * (or `0.0.0.0/0`) is IPv4's default route, `::/0` IPv6's; any other network as
 * {@link routeDestination} takes it.
 */
export function routeKey(text: string): string | Problem {
  if (text === "default" || text === "0.0.0.0/0") return "default";
  if (text === "::/0") return text;
  const destination = routeDestination(text);
  return isProblem(destination) ? problem(`${destination.problem} ("::/0" for IPv6)`) : destination;
}

/** The route a {@link routeKey} names in the main table, with the kernel's default metric. */
export function keyedRoute(key: string, route: { via?: string | undefined; device?: string | undefined }): RouteSpec {
  const family = key === "default" ? 4 : key.includes(":") ? 6 : 4;
  return {
    family,
    destination: key === "default" || key === "::/0" ? "default" : key,
    via: route.via,
    device: route.device,
    metric: family === 6 ? 1024 : 0,
    table: MAIN_TABLE,
  };
}

/** A route's gateway: an address without a prefix length. */
export function routeGateway(text: string): string | Problem {
  const ip = parseIp(text);
  return isProblem(ip) ? problem(`${ip.problem} (a gateway is an address without a prefix length)`) : ip.address;
}

function familyFlag(family: Family): string {
  return family === 4 ? "-4" : "-6";
}

function routeArgs(route: RouteSpec): string[] {
  return [
    route.destination,
    ...(route.via === undefined ? [] : ["via", route.via]),
    ...(route.device === undefined ? [] : ["dev", route.device]),
    "metric",
    String(route.metric),
    "table",
    String(route.table),
  ];
}

/** `ip -4|-6 route add DESTINATION [via GATEWAY] [dev DEVICE] metric METRIC table TABLE` */
export function routeAdd(route: RouteSpec): string[] {
  return [familyFlag(route.family), "route", "add", ...routeArgs(route)];
}

/** `ip -4|-6 route replace …`: changes the gateway or device of a route atomically. */
export function routeReplace(route: RouteSpec): string[] {
  return [familyFlag(route.family), "route", "replace", ...routeArgs(route)];
}

/** `ip -4|-6 route delete DESTINATION metric METRIC table TABLE`: exactly the route we made. */
export function routeDelete(route: RouteSpec): string[] {
  return [
    familyFlag(route.family),
    "route",
    "delete",
    route.destination,
    "metric",
    String(route.metric),
    "table",
    String(route.table),
  ];
}

/**
 * A route's line in an `ip -batch` (batch.ts): `route add|replace|delete …`. A batch line takes no
 * `-4`/`-6`, so the family is in the destination: `default` is written `0.0.0.0/0` or `::/0`.
 */
export function routeLine(verb: "add" | "replace" | "delete", route: RouteSpec): string[] {
  const destination = route.destination !== "default" ? route.destination : route.family === 4 ? "0.0.0.0/0" : "::/0";
  const spelled = { ...route, destination };
  if (verb !== "delete") return ["route", verb, ...routeArgs(spelled)];
  return ["route", "delete", destination, "metric", String(route.metric), "table", String(route.table)];
}

/**
 * `ip -4|-6 -json route show table TABLE`: the whole table, which the reads of one namespace share
 * (see `sharedRead` in runner.ts), instead of one `… exact DESTINATION` per route.
 */
export function tableShow(family: Family, table: number): string[] {
  return [familyFlag(family), "-json", "route", "show", "table", String(table)];
}

export interface LiveRoute {
  /** `default`, or the network as `ADDRESS/PREFIX`: `ip` leaves out /32 and /128, this does not. */
  destination: string;
  metric: number;
  gateway: string | undefined;
  device: string | undefined;
}

/** Routes from `ip -json route show`; a missing metric is 0, as the kernel means it. */
export function parseRoutes(stdout: string): LiveRoute[] {
  const text = stdout.trim();
  if (text === "" || text === "null") return [];
  const parsed = JSON.parse(text) as Array<Record<string, unknown>>;
  if (!Array.isArray(parsed)) throw new Error(`unexpected output of 'ip -json route show': ${text.slice(0, 200)}`);
  return parsed.map((r) => ({
    destination:
      typeof r.dst !== "string" || r.dst === "default" || r.dst.includes("/") ? String(r.dst) : hostRoute(r.dst),
    metric: typeof r.metric === "number" ? r.metric : 0,
    gateway: typeof r.gateway === "string" ? r.gateway : undefined,
    device: typeof r.dev === "string" ? r.dev : undefined,
  }));
}

/** A host route's destination as a prefix: `ip` prints 10.0.0.1 for 10.0.0.1/32. */
function hostRoute(address: string): string {
  return `${address}/${address.includes(":") ? 128 : 32}`;
}
