/**
 * Who made an object. Each resource carries an `owner` input, `PROJECT/STACK:NAME`, and marks what it
 * creates with it where the kernel has room for a label: the interface alias of both veth ends, and
 * of a namespace's `lo`. A retry after a killed run then recognises its own half-made objects and
 * adopts them, while an object of the same name without its mark is someone else's and is refused.
 *
 * Addresses and routes have no such label; they are adopted when they sit on a device, or in a
 * namespace, that carries the same stack's mark.
 */

import type { Netns } from "../machine/machine.js";
import { linkIn } from "../machine/reads.js";

const PREFIX = "pulumi-netns:";

/** The alias that marks an object as made by `owner`; undefined when the resource has no owner. */
export function markerOf(owner: string | undefined): string | undefined {
  // IFALIASZ is 256 bytes with the NUL; an owner that long is cut (the stack part stays whole).
  return owner === undefined ? undefined : `${PREFIX}${owner}`.slice(0, 255);
}

/** True when `alias` is the mark of `owner`, or when there is no owner to check (then anything goes). */
export function isOwnedBy(alias: string | undefined, owner: string | undefined): boolean {
  return owner === undefined || alias === markerOf(owner);
}

/**
 * What `pulumi import` may take: an object without a mark of ours (made by hand), or one that
 * already carries `owner`'s. Without an owner (a look, not a take: `.get()`) anything goes. One that another resource marks as its own is refused: taking it
 * would make that resource's read find it gone, and its delete leave it. `clear` is the command
 * that removes a mark left by a stack that no longer holds the object.
 */
export function refuseOthers(what: string, alias: string | undefined, owner: string | undefined, clear: string): void {
  if (owner === undefined || alias === undefined || !alias.startsWith(PREFIX) || alias === markerOf(owner)) return;
  throw new Error(
    `${what} carries the mark of ${alias.slice(PREFIX.length)}: it belongs to that resource, and a stack ` +
      `imports only objects made by hand. If no stack holds it any more, remove the mark first: ${clear}`,
  );
}

/** `PROJECT/STACK` of an owner `PROJECT/STACK:NAME` (neither part can hold a `:`). */
export function stackOf(owner: string): string {
  return owner.slice(0, owner.indexOf(":"));
}

/** True when `alias` marks an object of the same project and stack as `owner`. */
export function isSameStack(alias: string | undefined, owner: string | undefined): boolean {
  if (owner === undefined || alias === undefined) return false;
  const stack = owner.slice(0, owner.indexOf(":") + 1);
  return stack !== "" && alias.startsWith(`${PREFIX}${stack}`);
}

/** The alias of a device (the mark, if any); undefined when it, or its namespace, does not exist. */
export async function readMark(netns: Netns, device: string): Promise<string | undefined> {
  return (await linkIn(netns, device))?.alias;
}
