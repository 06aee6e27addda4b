/**
 * NetnsConfig, program half: what one namespace holds beyond its links (its addresses, the routes
 * of its main table, its sysctls) as one resource, applied with one `ip -batch`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ConfigRoute, NetnsConfigState } from "../kinds/netns-config.js";

export type { ConfigRoute };

import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface NetnsConfigArgs extends OnHost {
  /**
   * The namespace (`ip -n NETNS …`). Changing it replaces the resource.
   * @default the root namespace (which takes no `sysctls` here)
   */
  netns?: pulumi.Input<string> | undefined;
  /**
   * Each address, with its prefix length, and the device it goes on:
   * `{ "10.1.10.2/24": "veth12", "fd00::2/64": "veth12" }`. Added, moved and removed in place.
   * @default none
   */
  addresses?: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
  /**
   * Each route of the main table by its destination (`default` is IPv4's default route, `::/0`
   * IPv6's), with its gateway (`via`), its device (`device`), or both:
   * `{ default: { via: "10.1.10.1" } }`. Added, changed (`ip route replace`) and removed in place.
   * @default none
   */
  routes?: pulumi.Input<Record<string, pulumi.Input<ConfigRoute>>> | undefined;
  /**
   * Sysctls under `net.` as the namespace sees them, by key: `{ "net.ipv4.ip_forward": "1" }`. Each
   * is put back to the value found when it is no longer declared. A named namespace's only.
   * @default none
   */
  sysctls?: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
  /**
   * IPv6 addresses skip duplicate address detection (`nodad`): usable at once, for lab networks
   * where nothing else claims them.
   * @default false
   */
  nodad?: pulumi.Input<boolean> | undefined;
}

/**
 * A namespace's addresses, routes and sysctls as one resource: what a lab's node holds, for the
 * price of one resource and one `ip` process instead of one of each per object. A preview names
 * each object that changes (an address, a destination, a key).
 *
 * Equivalent to: `ip -n NETNS -batch -` of `address add ADDRESS dev DEVICE` and
 * `route add DESTINATION via GATEWAY dev DEVICE` lines, and a write to /proc/sys for each sysctl.
 */
export class NetnsConfig extends NetnsResource {
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly addresses: pulumi.Output<Record<string, string>>;
  declare readonly routes: pulumi.Output<Record<string, ConfigRoute>>;
  declare readonly sysctls: pulumi.Output<Record<string, string>>;
  declare readonly nodad: pulumi.Output<true | undefined>;
  /** Each sysctl's value found before the first write: what is put back. */
  declare readonly previous: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: NetnsConfigArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "NetnsConfig",
      name,
      {
        host: args.host,
        netns: args.netns,
        addresses: args.addresses,
        routes: args.routes,
        sysctls: args.sysctls,
        nodad: args.nodad,
        previous: undefined,
      } satisfies Wire<NetnsConfigState>,
      opts,
    );
  }
}
