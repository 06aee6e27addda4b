/**
 * Reachability, program half: a check, declared with the lab, that a namespace reaches an address
 * (by `ping`, or a TCP connection to a port), or that it does not.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ReachabilityState } from "../kinds/reachability.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface ReachabilityArgs extends OnHost {
  /** The destination: an address without a prefix length. Changing it replaces the check. */
  address: pulumi.Input<string>;
  /**
   * Where the probes start (`ip netns exec NETNS …`). Changing it replaces the check.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
  /**
   * What must hold: `reachable`, or `unreachable` for an isolation check. Updated in place.
   * @default "reachable"
   */
  expect?: pulumi.Input<"reachable" | "unreachable"> | undefined;
  /** `icmp` (one echo request per try) or `tcp` (one connection to `port`). Changing it replaces the check. @default "icmp" */
  protocol?: pulumi.Input<"icmp" | "tcp"> | undefined;
  /** The TCP port, 1–65535; with `protocol: tcp` only. Changing it replaces the check. */
  port?: pulumi.Input<number> | undefined;
  /**
   * How many probes, 1–10, before the destination counts as unreachable: a check that holds
   * `unreachable` sends them all, each waiting `timeout`. Updated in place.
   * @default 3
   */
  tries?: pulumi.Input<number> | undefined;
  /** How long each probe waits for its answer, 1–30 seconds. Updated in place. @default 1 */
  timeout?: pulumi.Input<number> | undefined;
}

/**
 * A reachability check: probed on `up` (a failure fails the step, naming the likely cause) and on
 * every refresh, where a check that no longer holds shows as drift. It changes nothing on the
 * machine. Order it after what it depends on (`dependsOn`, or inputs from their outputs).
 *
 * Equivalent to: `ip netns exec NETNS ping -c 1 -W TIMEOUT ADDRESS`, up to TRIES times.
 */
export class Reachability extends NetnsResource {
  declare readonly address: pulumi.Output<string>;
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly expect: pulumi.Output<"reachable" | "unreachable">;
  declare readonly protocol: pulumi.Output<"icmp" | "tcp">;
  declare readonly port: pulumi.Output<number | undefined>;
  declare readonly tries: pulumi.Output<number>;
  declare readonly timeout: pulumi.Output<number>;
  /** The round-trip (ICMP) or connection (TCP) time of the probe that got through, in milliseconds. */
  declare readonly rtt: pulumi.Output<number | undefined>;
  /** How many probes the last `up` of the check sent. */
  declare readonly attempts: pulumi.Output<number>;

  constructor(name: string, args: ReachabilityArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "Reachability",
      name,
      {
        host: args.host,
        address: args.address,
        netns: args.netns,
        expect: args.expect,
        protocol: args.protocol,
        port: args.port,
        tries: args.tries,
        timeout: args.timeout,
        rtt: undefined,
        attempts: undefined,
      } satisfies Wire<ReachabilityState>,
      opts,
    );
  }
}
