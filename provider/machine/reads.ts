/**
 * The reads of a namespace that `read` (refresh) shares between resources: one command per
 * namespace, or per routing table, instead of one per object (see {@link Netns.shared}). Create,
 * update and delete look up the one object they touch by itself after a change of their own,
 * which a shared read would repeat for the whole namespace; only the adoption checks, which run
 * when a create finds its object there already, use these reads.
 */
import type { Family } from "../commands/address.js";
import { type LinkInfo, namespaceShow, parseLinks } from "../commands/link.js";
import { type LiveRoute, parseRoutes, tableShow } from "../commands/route.js";
import { undefinedIfNotFound } from "../errors.js";
import type { Netns } from "./machine.js";

/** Every link of a namespace, with its details and addresses; undefined when the namespace is gone. */
export function linksIn(netns: Netns): Promise<LinkInfo[] | undefined> {
  return undefinedIfNotFound(() => netns.shared(namespaceShow(), parseLinks));
}

/** One link of a namespace by name; undefined when it, or the namespace, is not there. */
export async function linkIn(netns: Netns, device: string): Promise<LinkInfo | undefined> {
  return (await linksIn(netns))?.find((link) => link.ifname === device);
}

/** The routes of one family in one table of a namespace; undefined when the namespace is gone. */
export function routesIn(netns: Netns, family: Family, table: number): Promise<LiveRoute[] | undefined> {
  return undefinedIfNotFound(() => netns.shared(tableShow(family, table), parseRoutes));
}
