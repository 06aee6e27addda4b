/**
 * HostsFile, provider half: the hosts file of a namespace, /etc/netns/NAME/hosts, which programs
 * started with `ip netns exec NAME` read in place of /etc/hosts (see netns-file.ts).
 */
import { ipAddress } from "../commands/address.js";
import { netnsName } from "../commands/names.js";
import { type HostsEntry, hostName, parseHosts, renderHosts } from "../commands/netns-files.js";
import type { Machine } from "../machine/machine.js";
import { checkInputs, describeValue, flag, ownerInput, text } from "./base/inputs.js";
import { NetnsFileProvider, type NetnsFileState } from "./base/netns-file.js";

export interface HostsFileInputs {
  netns: string;
  /** The lines after the loopback ones: an address and its names each. */
  entries: HostsEntry[];
  /** Whether the file begins with the usual localhost lines, which it replaces /etc/hosts's with. */
  loopback: boolean;
  owner?: string | undefined;
}

export type HostsFileState = HostsFileInputs & NetnsFileState;

export default class HostsFileProvider extends NetnsFileProvider<HostsFileInputs> {
  protected readonly contents = ["entries", "loopback"] as const;

  constructor(machine: Machine) {
    super(machine, "hosts");
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<HostsFileInputs>(
      (z) =>
        z.object({
          netns: text(z, netnsName),
          entries: z
            .array(
              z.object({
                address: text(z, ipAddress),
                names: z.array(text(z, hostName)).min(1, "must hold at least one name for the address"),
              }),
              { error: (issue) => `must be a list of { address, names }, got ${describeValue(issue.input)}` },
            )
            .default([]),
          loopback: flag(z, true),
          owner: ownerInput(z),
        }),
      news,
    );
  }

  protected render(p: HostsFileInputs, marker: string): string {
    return renderHosts(marker, p.entries, p.loopback);
  }

  protected parse(text: string) {
    return parseHosts(text);
  }
}
