/**
 * The reads of a namespace that `read` (refresh, import) shares between resources: one command per
 * namespace, or per routing table, instead of one per object (see `sharedRead` in runner.ts).
 * Create, update and delete look up the one object they touch instead: what they read follows a
 * change of their own, which a shared read would have to repeat for the whole namespace.
 */
import type { Family } from "./iproute/address.js";
import { type LinkInfo, namespaceShow, parseLinks } from "./iproute/link.js";
import { type LiveRoute, parseRoutes, tableShow } from "./iproute/route.js";
import { undefinedIfNotFound } from "./lifecycle.js";
import { type Runner, sharedRead } from "./runner.js";

/** Every link of a namespace, with its details and addresses; undefined when the namespace is gone. */
export function linksIn(runner: Runner, netns: string | undefined): Promise<LinkInfo[] | undefined> {
  return undefinedIfNotFound(() => sharedRead(runner, namespaceShow(), { netns }, parseLinks));
}

/** One link of a namespace by name; undefined when it, or the namespace, is not there. */
export async function linkIn(runner: Runner, netns: string | undefined, device: string): Promise<LinkInfo | undefined> {
  return (await linksIn(runner, netns))?.find((link) => link.ifname === device);
}

/** The routes of one family in one table of a namespace; undefined when the namespace is gone. */
export function routesIn(
  runner: Runner,
  netns: string | undefined,
  family: Family,
  table: number,
): Promise<LiveRoute[] | undefined> {
  return undefinedIfNotFound(() => sharedRead(runner, tableShow(family, table), { netns }, parseRoutes));
}
