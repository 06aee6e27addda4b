/**
 * The lifecycle that HostsFile and ResolvConf share ({@link NetnsFileProvider}): one file of a
 * namespace's own, in /etc/netns/NAME/ (see commands/netns-files.ts). Its first line marks it as
 * written by its resource; a file without that line is someone else's, and is neither replaced nor
 * removed. It is always written whole and atomically, so a program starting in the namespace never
 * reads half of it.
 *
 * /etc/netns and /etc/netns/NAME are made when missing; the journal records that it was us who
 * made them, so that the last of our files to go takes them along, and a folder someone else made
 * (or that holds anything else) stays. The state keeps the same fact (`folders`): the journal is
 * in /run and goes with a reboot, the folders are on disk and stay, and the next write or delete
 * gives the journal back what the state knows.
 */
import path from "node:path";
import { markOf, netnsFilesFolder } from "../../commands/netns-files.js";
import { undefinedIfNotFound } from "../../errors.js";
import { type Machine, TEMPORARY_MARK } from "../../machine/machine.js";
import { forget, recall, remember } from "../../records/journal.js";
import { markerOf } from "../../records/ownership.js";
import type { Created, KindProvider, Updated } from "./kind.js";
import { differ } from "./lifecycle.js";

/** What every such file's inputs have. */
export interface NetnsFileInputs {
  /** The namespace whose file it is. */
  netns: string;
  owner?: string | undefined;
}

/** What every such file's state has beyond its inputs. */
export interface NetnsFileState {
  /** The file. */
  path: string;
  /** The folders that pulumi-netns made for it (and for the other files in them), as the journal had them; absent before 0.4. */
  folders?: string[] | undefined;
}

/**
 * A kind that is one file of a namespace's own: it says how its inputs are written (`render`) and
 * read back (`parse`), and which of them are the file's contents; the lifecycle is this one.
 */
export abstract class NetnsFileProvider<I extends NetnsFileInputs> implements KindProvider<I, I & NetnsFileState> {
  private readonly file: NetnsFile;

  constructor(machine: Machine, name: string) {
    this.file = new NetnsFile(machine, name);
  }

  abstract check(olds: unknown, news: Record<string, unknown>): ReturnType<KindProvider<I, I>["check"]>;
  /** The inputs that make up the file's text (the rest, `netns`, say which file it is). */
  protected abstract readonly contents: readonly (keyof I)[];
  /** The file's whole text; its first line is `markLine(marker)`. */
  protected abstract render(p: I, marker: string): string;
  /** The inputs the file's text says. */
  protected abstract parse(text: string): Partial<I>;

  id(p: I): string {
    return this.file.pathOf(p.netns);
  }

  async diff(_id: string, olds: I & NetnsFileState, news: I) {
    const replaces = olds.netns !== news.netns ? ["netns"] : [];
    const changed = differ<I>(olds, news, this.contents);
    return { changes: changed || replaces.length > 0, replaces };
  }

  async create(inputs: I): Promise<Created<I & NetnsFileState>> {
    return { id: this.id(inputs), outs: await this.write(inputs) };
  }

  async read(id: string, props: I & NetnsFileState) {
    const text = await this.file.readOurs(props);
    // Gone, or replaced by a file that is not ours.
    if (text === undefined) return {};
    const live = { ...props, ...this.parse(text) };
    const { path: _path, folders: _folders, ...inputs } = live;
    return { id, props: live, inputs: inputs as unknown as Partial<I & NetnsFileState> };
  }

  /** The namespace's folder of files, when this stack made it and it is still there. */
  async remains(props: I & Partial<NetnsFileState>): Promise<boolean> {
    return this.file.foldersRemain(props);
  }

  async update(_id: string, olds: I & NetnsFileState, news: I): Promise<Updated<I & NetnsFileState>> {
    return { outs: await this.write(news, olds.folders) };
  }

  async delete(_id: string, props: I & Partial<NetnsFileState>) {
    await this.file.remove(props, props.folders);
  }

  private async write(p: I, folders?: string[]): Promise<I & NetnsFileState> {
    const ours = await this.file.write(p, this.render(p, markerOf(p.owner) ?? "pulumi-netns:"), folders);
    return { ...p, path: this.file.pathOf(p.netns), folders: ours };
  }
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

  /**
   * Writes the file whole, refusing to replace one that is not ours; gives the folders that are
   * ours (made now, or by an earlier write). `known`: those the state says are ours.
   */
  async write(p: NetnsFileInputs, content: string, known: string[] = []): Promise<string[]> {
    const file = this.pathOf(p.netns);
    const found = await undefinedIfNotFound(() => this.machine.readFile(file));
    if (found !== undefined && !isOurs(found, p.owner)) {
      throw new Error(
        `${file} exists and this stack did not write it (its first line is not "# ${markerOf(p.owner) ?? "pulumi-netns:…"}"); ` +
          "refusing to replace it. Move it away yourself, or leave this namespace's file to it.",
      );
    }
    await this.recordAgain(known);
    // Recorded before they are made: a run killed after the mkdir still knows them as ours.
    const ours: string[] = [];
    for (const folder of [ETC_NETNS, netnsFilesFolder(p.netns)]) {
      if ((await this.machine.pathKind(folder)) === undefined) {
        await remember(this.machine, folderRecord(folder), "made");
      }
      if ((await recall(this.machine, folderRecord(folder))) !== undefined) ours.push(folder);
    }
    await this.machine.replaceFile(file, content);
    return ours;
  }

  /** Records again the folders the state knows as ours, when the journal lost them (a reboot). */
  private async recordAgain(known: string[]): Promise<void> {
    for (const folder of known) {
      if ((await recall(this.machine, folderRecord(folder))) === undefined) {
        await remember(this.machine, folderRecord(folder), "made");
      }
    }
  }

  /** The file's text when it is there and ours; undefined otherwise. */
  async readOurs(p: NetnsFileInputs): Promise<string | undefined> {
    const text = await undefinedIfNotFound(() => this.machine.readFile(this.pathOf(p.netns)));
    return text !== undefined && isOurs(text, p.owner) ? text : undefined;
  }

  /**
   * Removes the file if it is ours, then the folders we made that are left empty. A file that is
   * not there (a create killed before it wrote it) still has its folders tidied.
   */
  async remove(p: NetnsFileInputs, known: string[] = []): Promise<void> {
    await this.recordAgain(known);
    const file = this.pathOf(p.netns);
    const found = await undefinedIfNotFound(() => this.machine.readFile(file));
    // The outermost folder of ours bounds what removeFile prunes; none of ours: the file alone.
    let root = file;
    for (const folder of [netnsFilesFolder(p.netns), ETC_NETNS]) {
      if ((await recall(this.machine, folderRecord(folder))) !== undefined) root = folder;
    }
    // A run killed between writing the temporary file and renaming it left that file: it is ours by its name.
    const folder = netnsFilesFolder(p.netns);
    for (const name of await this.machine.listFiles(folder)) {
      if (name.startsWith(`${this.name}${TEMPORARY_MARK}`)) await this.machine.removeFile(`${folder}/${name}`, root);
    }
    if (found === undefined || isOurs(found, p.owner)) await this.machine.removeFile(file, root);
    // A folder of ours that stays holds something else: the record goes with the last file of ours in it.
    const own = netnsFilesFolder(p.netns);
    if (!(await this.holdsOurs(own))) await forget(this.machine, folderRecord(own));
    const folders = await this.machine.listFolders(ETC_NETNS);
    const kept = await Promise.all(folders.map((f) => recall(this.machine, folderRecord(`${ETC_NETNS}/${f}`))));
    if (!kept.some((record) => record !== undefined)) await forget(this.machine, folderRecord(ETC_NETNS));
  }

  /** True when the namespace's folder of files is there and the journal says pulumi-netns made it. */
  async foldersRemain(p: NetnsFileInputs): Promise<boolean> {
    const own = netnsFilesFolder(p.netns);
    return (
      (await recall(this.machine, folderRecord(own))) !== undefined && (await this.machine.pathKind(own)) === "folder"
    );
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
