/**
 * ResolvConf, program half: the resolver a namespace uses, from its own resolv.conf.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResolvConfState } from "../kinds/resolv-conf.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface ResolvConfArgs extends OnHost {
  /** The namespace whose resolv.conf it is. Changing it replaces the resource. */
  netns: pulumi.Input<string>;
  /** One to three nameserver addresses, in the order they are asked. Updated in place. */
  nameservers: pulumi.Input<pulumi.Input<string>[]>;
  /** The search list (`lab.example`). Updated in place. */
  search?: pulumi.Input<pulumi.Input<string>[]> | undefined;
  /** Resolver options (`ndots:2`, `edns0`, `timeout:1`). Updated in place. */
  options?: pulumi.Input<pulumi.Input<string>[]> | undefined;
}

/**
 * The resolv.conf of a namespace, /etc/netns/NETNS/resolv.conf: programs started with
 * `ip netns exec NETNS` read it in place of /etc/resolv.conf, from when they start. Marked, drift
 * checked and removed like {@link HostsFile}.
 *
 * Equivalent to: `mkdir -p /etc/netns/NETNS && printf 'nameserver …' >/etc/netns/NETNS/resolv.conf`.
 */
export class ResolvConf extends NetnsResource {
  declare readonly netns: pulumi.Output<string>;
  declare readonly nameservers: pulumi.Output<string[]>;
  declare readonly search: pulumi.Output<string[]>;
  declare readonly options: pulumi.Output<string[]>;
  /** The file: /etc/netns/NETNS/resolv.conf. */
  declare readonly path: pulumi.Output<string>;
  /** The folders (/etc/netns, /etc/netns/NETNS) that pulumi-netns made and removes with the last of its files there. */
  declare readonly folders: pulumi.Output<string[] | undefined>;

  constructor(name: string, args: ResolvConfArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "ResolvConf",
      name,
      {
        host: args.host,
        netns: args.netns,
        nameservers: args.nameservers,
        search: args.search,
        options: args.options,
        path: undefined,
        folders: undefined,
      } satisfies Wire<ResolvConfState>,
      opts,
    );
  }
}
