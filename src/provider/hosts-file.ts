/**
 * HostsFile, provider half: the hosts file of a namespace, /etc/netns/NAME/hosts, which programs
 * started with `ip netns exec NAME` read in place of /etc/hosts (see netns-file.ts).
 */
import { ipAddress } from "../iproute/address.js";
import { netnsName } from "../iproute/names.js";
import { type HostsEntry, hostName, parseHosts, renderHosts } from "../iproute/netns-files.js";
import { checkInputs, describeValue, flag, ownerInput, text } from "./inputs.js";
import type { Created, KindProvider, Updated } from "./kind.js";
import type { Machine } from "./machine.js";
import { NetnsFile } from "./netns-file.js";
import { markerOf } from "./ownership.js";

export interface HostsFileInputs {
  netns: string;
  /** The lines after the loopback ones: an address and its names each. */
  entries: HostsEntry[];
  /** Whether the file begins with the usual localhost lines, which it replaces /etc/hosts's with. */
  loopback: boolean;
  owner?: string | undefined;
}

export interface HostsFileState extends HostsFileInputs {
  /** The file. */
  path: string;
}

export default class HostsFileProvider implements KindProvider<HostsFileInputs, HostsFileState> {
  private readonly file: NetnsFile;

  constructor(machine: Machine) {
    this.file = new NetnsFile(machine, "hosts");
  }

  id(p: HostsFileInputs): string {
    return this.file.pathOf(p.netns);
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

  async diff(_id: string, olds: HostsFileState, news: HostsFileInputs) {
    const replaces = olds.netns !== news.netns ? ["netns"] : [];
    const changed = JSON.stringify([olds.entries, olds.loopback]) !== JSON.stringify([news.entries, news.loopback]);
    return { changes: changed || replaces.length > 0, replaces };
  }

  async create(inputs: HostsFileInputs): Promise<Created<HostsFileState>> {
    return { id: this.id(inputs), outs: await this.write(inputs) };
  }

  async read(id: string, props: HostsFileState) {
    const text = await this.file.readOurs(props);
    // Gone, or replaced by a file that is not ours.
    if (text === undefined) return {};
    const live = { ...props, ...parseHosts(text) };
    const { path: _path, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(_id: string, _olds: HostsFileState, news: HostsFileInputs): Promise<Updated<HostsFileState>> {
    return { outs: await this.write(news) };
  }

  async delete(_id: string, props: HostsFileInputs) {
    await this.file.remove(props);
  }

  private async write(p: HostsFileInputs): Promise<HostsFileState> {
    await this.file.write(p, renderHosts(markerOf(p.owner) ?? "pulumi-netns:", p.entries, p.loopback));
    return { ...p, path: this.file.pathOf(p.netns) };
  }
}
