/**
 * ReachabilitySet, program half: that one namespace reaches each of several addresses, by ICMP
 * echo, as one check.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ReachabilitySetState } from "../kinds/reachability-set.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface ReachabilitySetArgs extends OnHost {
  /**
   * Where the probes start (`ip netns exec NETNS ping …`). Changing it replaces the check.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
  /**
   * Each destination, an address without a prefix length, by a name of its own that messages and
   * `rtts` use: `{ "r2-v4": "10.0.0.2" }`.
   */
  destinations: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** How many probes, 1–10, before a destination counts as unreachable. Updated in place. @default 3 */
  tries?: pulumi.Input<number> | undefined;
  /** How long each probe waits for its answer, 1–30 seconds. Updated in place. @default 1 */
  timeout?: pulumi.Input<number> | undefined;
}

/**
 * A check that a namespace reaches every one of its destinations, probed at once. `up` fails
 * naming each destination that did not answer and its likely cause; a refresh (or
 * `preview --refresh`) shows one that stopped answering as drift on that destination.
 *
 * Equivalent to: `ip netns exec NETNS ping -c 1 -W TIMEOUT ADDRESS` for each destination.
 */
export class ReachabilitySet extends NetnsResource {
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly destinations: pulumi.Output<Record<string, string>>;
  declare readonly tries: pulumi.Output<number>;
  declare readonly timeout: pulumi.Output<number>;
  /** Each destination's round trip, in milliseconds, by its name. */
  declare readonly rtts: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: ReachabilitySetArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "ReachabilitySet",
      name,
      {
        host: args.host,
        netns: args.netns,
        destinations: args.destinations,
        tries: args.tries,
        timeout: args.timeout,
        rtts: undefined,
      } satisfies Wire<ReachabilitySetState>,
      opts,
    );
  }
}
