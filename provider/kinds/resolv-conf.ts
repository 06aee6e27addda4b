/**
 * ResolvConf, provider half: the resolver configuration of a namespace,
 * /etc/netns/NAME/resolv.conf, which programs started with `ip netns exec NAME` read in place of
 * /etc/resolv.conf (see netns-file.ts).
 */

import { netnsName } from "../commands/names.js";
import { hostName, nameserver, parseResolvConf, renderResolvConf, resolverOption } from "../commands/netns-files.js";
import type { Machine } from "../machine/machine.js";
import { checkInputs, ownerInput, text } from "./base/inputs.js";
import { NetnsFileProvider, type NetnsFileState } from "./base/netns-file.js";

/** The resolver reads at most this many nameservers (MAXNS in glibc's resolv.h). */
const MAX_NAMESERVERS = 3;

export interface ResolvConfInputs {
  netns: string;
  nameservers: string[];
  search: string[];
  options: string[];
  owner?: string | undefined;
}

export type ResolvConfState = ResolvConfInputs & NetnsFileState;

export default class ResolvConfProvider extends NetnsFileProvider<ResolvConfInputs> {
  protected readonly contents = ["nameservers", "search", "options"] as const;

  constructor(machine: Machine) {
    super(machine, "resolv.conf");
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<ResolvConfInputs>(
      (z) =>
        z.object({
          netns: text(z, netnsName),
          nameservers: z
            .array(text(z, nameserver))
            .min(1, "must hold at least one nameserver")
            .max(MAX_NAMESERVERS, `must hold at most ${MAX_NAMESERVERS}: the resolver reads no more (MAXNS)`),
          search: z.array(text(z, hostName)).default([]),
          options: z.array(text(z, resolverOption)).default([]),
          owner: ownerInput(z),
        }),
      news,
    );
  }

  protected render(p: ResolvConfInputs, marker: string): string {
    return renderResolvConf(marker, p);
  }

  protected parse(text: string) {
    return parseResolvConf(text);
  }
}
