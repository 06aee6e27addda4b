/**
 * HostsFile, program half: the names a namespace resolves from its own hosts file.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { HostsFileState } from "../kinds/hosts-file.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface HostsFileArgs extends OnHost {
  /** The namespace whose hosts file it is. Changing it replaces the resource. */
  netns: pulumi.Input<string>;
  /** One line per address: `{ address: "10.1.1.2", names: ["web", "web.lab"] }`. Updated in place. */
  entries?: pulumi.Input<pulumi.Input<{ address: pulumi.Input<string>; names: pulumi.Input<string>[] }>[]> | undefined;
  /**
   * Whether the file begins with the usual loopback lines (`127.0.0.1 localhost`, `::1 localhost
   * ip6-localhost ip6-loopback`): the namespace's file hides /etc/hosts entirely. Updated in place.
   * @default true
   */
  loopback?: pulumi.Input<boolean> | undefined;
}

/**
 * The hosts file of a namespace, /etc/netns/NETNS/hosts: programs started with
 * `ip netns exec NETNS` (NetnsProcess among them) read it in place of /etc/hosts, from when they
 * start. Its first line marks it as this resource's; an edit shows as drift, and a file there that
 * is not ours is refused, never replaced. Deleting it removes the file, and the folders it made
 * once they are empty.
 *
 * Equivalent to: `mkdir -p /etc/netns/NETNS && printf … >/etc/netns/NETNS/hosts`.
 */
export class HostsFile extends NetnsResource {
  declare readonly netns: pulumi.Output<string>;
  declare readonly entries: pulumi.Output<Array<{ address: string; names: string[] }>>;
  declare readonly loopback: pulumi.Output<boolean>;
  /** The file: /etc/netns/NETNS/hosts. */
  declare readonly path: pulumi.Output<string>;
  /** The folders (/etc/netns, /etc/netns/NETNS) that pulumi-netns made and removes with the last of its files there. */
  declare readonly folders: pulumi.Output<string[] | undefined>;

  constructor(name: string, args: HostsFileArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "HostsFile",
      name,
      {
        host: args.host,
        netns: args.netns,
        entries: args.entries,
        loopback: args.loopback,
        path: undefined,
        folders: undefined,
      } satisfies Wire<HostsFileState>,
      opts,
    );
  }
}
