/**
 * The lifecycle that HostsFile and ResolvConf share: one file of a namespace's own, in
 * /etc/netns/NAME/ (see iproute/netns-files.ts). Its first line marks it as written by its
 * resource; a file without that line is someone else's, and is neither replaced nor removed. It is
 * always written whole and atomically, so a program starting in the namespace never reads half.
 *
 * /etc/netns and /etc/netns/NAME are made when missing; the journal records that it was us who
 * made them, so that the last of our files to go takes them along, and a folder someone else made
 * (or that holds anything else) stays.
 */
import path from "node:path";
import { markOf, netnsFilesFolder } from "../iproute/netns-files.js";
import { forget, recall, remember } from "./journal.js";
import { undefinedIfNotFound } from "./lifecycle.js";
import type { Machine } from "./machine.js";
import { markerOf } from "./ownership.js";

/** What every such file's inputs have. */
export interface NetnsFileInputs {
  /** The namespace whose file it is. */
  netns: string;
  owner?: string | undefined;
}

/** The folders that hold the files, from the outermost. */
const ETC_NETNS = "/etc/netns";

export class NetnsFile {
  constructor(
    private readonly machine: Machine,
    /** The file's name in /etc (`hosts`, `resolv.conf`). */
    readonly name: string,
  ) {}

  pathOf(netns: string): string {
    return `${netnsFilesFolder(netns)}/${this.name}`;
  }

  /** Writes the file whole, refusing to replace one that is not ours. */
  async write(p: NetnsFileInputs, content: string): Promise<void> {
    const file = this.pathOf(p.netns);
    const found = await undefinedIfNotFound(() => this.machine.readFile(file));
    if (found !== undefined && !isOurs(found, p.owner)) {
      throw new Error(
        `${file} exists and this stack did not write it (its first line is not "# ${markerOf(p.owner) ?? "pulumi-netns:…"}"); ` +
          "refusing to replace it. Move it away yourself, or leave this namespace's file to it.",
      );
    }
    // Recorded before they are made: a run killed after the mkdir still knows them as ours.
    for (const folder of [ETC_NETNS, netnsFilesFolder(p.netns)]) {
      if ((await this.machine.pathKind(folder)) === undefined)
        await remember(this.machine, folderRecord(folder), "made");
    }
    await this.machine.replaceFile(file, content);
  }

  /** The file's text when it is there and ours; undefined otherwise. */
  async readOurs(p: NetnsFileInputs): Promise<string | undefined> {
    const text = await undefinedIfNotFound(() => this.machine.readFile(this.pathOf(p.netns)));
    return text !== undefined && isOurs(text, p.owner) ? text : undefined;
  }

  /** Removes the file if it is ours, then the folders we made that are left empty. */
  async remove(p: NetnsFileInputs): Promise<void> {
    const file = this.pathOf(p.netns);
    if ((await this.readOurs(p)) === undefined) return;
    // The outermost folder of ours bounds what removeFile prunes; none of ours: the file alone.
    let root = file;
    for (const folder of [netnsFilesFolder(p.netns), ETC_NETNS]) {
      if ((await recall(this.machine, folderRecord(folder))) !== undefined) root = folder;
    }
    await this.machine.removeFile(file, root);
    // A folder of ours that stays holds something else: the record goes with the last file of ours in it.
    const own = netnsFilesFolder(p.netns);
    if (!(await this.holdsOurs(own))) await forget(this.machine, folderRecord(own));
    const folders = await this.machine.listFolders(ETC_NETNS);
    const kept = await Promise.all(folders.map((f) => recall(this.machine, folderRecord(`${ETC_NETNS}/${f}`))));
    if (!kept.some((record) => record !== undefined)) await forget(this.machine, folderRecord(ETC_NETNS));
  }

  /** True when `folder` holds a file that a resource of ours wrote. */
  private async holdsOurs(folder: string): Promise<boolean> {
    for (const name of await this.machine.listFiles(folder)) {
      const text = await undefinedIfNotFound(() => this.machine.readFile(`${folder}/${name}`));
      if (text !== undefined && markOf(text) !== undefined) return true;
    }
    return false;
  }
}

/** True when the file's first line is `owner`'s mark (any of ours, without an owner to check). */
function isOurs(text: string, owner: string | undefined): boolean {
  const mark = markOf(text);
  return mark !== undefined && (owner === undefined || mark === markerOf(owner));
}

/** The journal record saying that pulumi-netns made `folder`. */
function folderRecord(folder: string): string {
  return `folders/${encodeURIComponent(path.normalize(folder))}`;
}
