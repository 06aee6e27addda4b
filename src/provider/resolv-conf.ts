/**
 * ResolvConf, provider half: the resolver configuration of a namespace,
 * /etc/netns/NAME/resolv.conf, which programs started with `ip netns exec NAME` read in place of
 * /etc/resolv.conf (see netns-file.ts).
 */

import { netnsName } from "../iproute/names.js";
import { hostName, nameserver, parseResolvConf, renderResolvConf, resolverOption } from "../iproute/netns-files.js";
import { checkInputs, ownerInput, text } from "./inputs.js";
import type { Created, KindProvider, Updated } from "./kind.js";
import type { Machine } from "./machine.js";
import { NetnsFile } from "./netns-file.js";
import { markerOf } from "./ownership.js";

/** The resolver reads at most this many nameservers (MAXNS in glibc's resolv.h). */
const MAX_NAMESERVERS = 3;

export interface ResolvConfInputs {
  netns: string;
  nameservers: string[];
  search: string[];
  options: string[];
  owner?: string | undefined;
}

export interface ResolvConfState extends ResolvConfInputs {
  /** The file. */
  path: string;
}

export default class ResolvConfProvider implements KindProvider<ResolvConfInputs, ResolvConfState> {
  private readonly file: NetnsFile;

  constructor(machine: Machine) {
    this.file = new NetnsFile(machine, "resolv.conf");
  }

  id(p: ResolvConfInputs): string {
    return this.file.pathOf(p.netns);
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

  async diff(_id: string, olds: ResolvConfState, news: ResolvConfInputs) {
    const replaces = olds.netns !== news.netns ? ["netns"] : [];
    const keys = ["nameservers", "search", "options"] as const;
    const changed = keys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: changed || replaces.length > 0, replaces };
  }

  async create(inputs: ResolvConfInputs): Promise<Created<ResolvConfState>> {
    return { id: this.id(inputs), outs: await this.write(inputs) };
  }

  async read(id: string, props: ResolvConfState) {
    const text = await this.file.readOurs(props);
    if (text === undefined) return {};
    const live = { ...props, ...parseResolvConf(text) };
    const { path: _path, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(_id: string, _olds: ResolvConfState, news: ResolvConfInputs): Promise<Updated<ResolvConfState>> {
    return { outs: await this.write(news) };
  }

  async delete(_id: string, props: ResolvConfInputs) {
    await this.file.remove(props);
  }

  private async write(p: ResolvConfInputs): Promise<ResolvConfState> {
    await this.file.write(p, renderResolvConf(markerOf(p.owner) ?? "pulumi-netns:", p));
    return { ...p, path: this.file.pathOf(p.netns) };
  }
}
