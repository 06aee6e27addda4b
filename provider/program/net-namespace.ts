/**
 * NetNamespace, program half: a named network namespace, as made by `ip netns add NAME`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { NetNamespaceState } from "../kinds/net-namespace.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface NetNamespaceArgs extends OnHost {
  /**
   * The namespace's name: `ip netns add NAME`, then `ip -n NAME …` for everything inside it.
   * Changing it replaces the namespace (and so everything in it).
   */
  name: pulumi.Input<string>;
  /**
   * Bring the loopback device up inside the namespace (`ip -n NAME link set dev lo up`). A new
   * namespace starts with `lo` down, so even 127.0.0.1 is unreachable there.
   * @default true
   */
  loopbackUp?: pulumi.Input<boolean> | undefined;
}

/**
 * A Linux network namespace managed with iproute2.
 *
 * Equivalent to: `ip netns add NAME && ip -n NAME link set dev lo up`.
 */
export class NetNamespace extends NetnsResource {
  /** The namespace's name, for `netns` inputs of other resources (this carries the dependency). */
  declare readonly name: pulumi.Output<string>;
  /** Whether `lo` is up inside the namespace. */
  declare readonly loopbackUp: pulumi.Output<boolean>;

  constructor(name: string, args: NetNamespaceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "NetNamespace",
      name,
      { host: args.host, name: args.name, loopbackUp: args.loopbackUp } satisfies Wire<NetNamespaceState>,
      opts,
    );
  }
}
