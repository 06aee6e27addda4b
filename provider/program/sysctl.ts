/**
 * Sysctl, program half: one kernel parameter under /proc/sys, set for as long as the resource
 * exists and put back to the value it found when the resource is deleted.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { SysctlState } from "../kinds/sysctl.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface SysctlArgs extends OnHost {
  /** The key in dotted form, like `net.ipv4.ip_forward`. Changing it replaces the resource. */
  key: pulumi.Input<string>;
  /** The value to set (`1`, or words like `4096 131072 6291456`). Updated in place. */
  value: pulumi.Input<string | number>;
  /**
   * The namespace to set it in (`ip netns exec NETNS …`); only `net.*` keys are per namespace, so
   * only they are accepted here. Changing it replaces the resource.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
}

/**
 * A kernel parameter (sysctl), restored to the value it had when the resource is deleted.
 *
 * Equivalent to: `sysctl -w KEY=VALUE`, or `ip netns exec NETNS sysctl -w KEY=VALUE`.
 */
export class Sysctl extends NetnsResource {
  declare readonly key: pulumi.Output<string>;
  declare readonly value: pulumi.Output<string>;
  declare readonly netns: pulumi.Output<string | undefined>;
  /** The value found before the first write, put back on delete. */
  declare readonly previous: pulumi.Output<string>;

  constructor(name: string, args: SysctlArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "Sysctl",
      name,
      {
        host: args.host,
        key: args.key,
        value: args.value,
        netns: args.netns,
        previous: undefined,
      } satisfies Wire<SysctlState>,
      opts,
    );
  }
}
