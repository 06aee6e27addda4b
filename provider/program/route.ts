/**
 * Route, program half: a route in a routing table, as added by
 * `ip route add DESTINATION via GATEWAY dev DEVICE`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { RouteState } from "../kinds/route.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface RouteArgs extends OnHost {
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

/**
 * A route.
 *
 * Equivalent to: `ip -n NETNS route add DESTINATION via GATEWAY dev DEVICE metric METRIC table TABLE`.
 */
export class Route extends NetnsResource {
  declare readonly destination: pulumi.Output<string>;
  declare readonly via: pulumi.Output<string | undefined>;
  declare readonly device: pulumi.Output<string | undefined>;
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly metric: pulumi.Output<number | undefined>;
  declare readonly table: pulumi.Output<number | undefined>;

  constructor(name: string, args: RouteArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "Route",
      name,
      {
        host: args.host,
        destination: args.destination,
        via: args.via,
        device: args.device,
        netns: args.netns,
        metric: args.metric,
        table: args.table,
      } satisfies Wire<RouteState>,
      opts,
    );
  }
}
