/**
 * The files a namespace can have of its own: `ip netns exec NAME` bind-mounts each file of
 * /etc/netns/NAME/ over the one of the same name in /etc, for the program it starts (and only when
 * it starts: a program running already keeps what it saw). Rules, rendering and parsing of `hosts`
 * and `resolv.conf`; pure, no I/O.
 */
import { isProblem, type Problem, problem } from "../rule.js";
import { ipAddress } from "./address.js";

/** The folder of namespace `netns`'s own files. */
export function netnsFilesFolder(netns: string): string {
  return `/etc/netns/${netns}`;
}

/** A host name (RFC 1123): dot-separated labels of letters, digits and inner hyphens, 253 bytes at most. */
export function hostName(name: string): string | Problem {
  if (name.length === 0 || name.length > 253) return problem("must be a host name of 1 to 253 characters");
  const labels = name.replace(/\.$/, "").split(".");
  const bad = labels.find((l) => !/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
  if (bad !== undefined) {
    return problem(
      `must be a host name: labels of letters, digits and hyphens (not first or last), 1 to 63 long, between dots; "${bad}" is not one`,
    );
  }
  return name;
}

/** A resolver option as resolv.conf(5) spells it: a word, or `word:number` (`ndots:2`, `edns0`). */
export function resolverOption(option: string): string | Problem {
  return /^[a-z][a-z0-9-]*(:\d+)?$/.test(option)
    ? option
    : problem("must be a resolver option like ndots:2 or edns0 (resolv.conf(5))");
}

/** A nameserver: an address without a prefix length. */
export function nameserver(text: string): string | Problem {
  const address = ipAddress(text);
  return isProblem(address) ? problem(`${address.problem} (a nameserver is an address)`) : address;
}

/** One line of a hosts file: an address and the names it has. */
export interface HostsEntry {
  address: string;
  names: string[];
}

/** The lines every hosts file has for loopback, which a namespace's own file would otherwise take away. */
export const LOOPBACK_ENTRIES: readonly HostsEntry[] = [
  { address: "127.0.0.1", names: ["localhost"] },
  { address: "::1", names: ["localhost", "ip6-localhost", "ip6-loopback"] },
];

/** The first line, which says who wrote the file: a file without it is someone else's. */
export function markLine(marker: string): string {
  return `# ${marker}`;
}

/** The marker of the file's first line, if it has one of ours. */
export function markOf(text: string): string | undefined {
  const first = text.split("\n", 1)[0] ?? "";
  return first.startsWith("# pulumi-netns:") ? first.slice(2) : undefined;
}

const NOTE = "# Written by pulumi-netns: an edit shows as drift, and `pulumi up` puts this back.";

/** A hosts file: the mark, a note, then the loopback lines (when `loopback`) and the entries. */
export function renderHosts(marker: string, entries: readonly HostsEntry[], loopback: boolean): string {
  const all = loopback ? [...LOOPBACK_ENTRIES, ...entries] : entries;
  return [markLine(marker), NOTE, ...all.map((e) => `${e.address}\t${e.names.join(" ")}`)].join("\n").concat("\n");
}

/** The entries of a hosts file, and whether it begins with the loopback lines. */
export function parseHosts(text: string): { entries: HostsEntry[]; loopback: boolean } {
  const entries: HostsEntry[] = [];
  for (const line of text.split("\n")) {
    const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (address !== undefined && address !== "" && names.length > 0) entries.push({ address, names });
  }
  const loopback = LOOPBACK_ENTRIES.every((l, i) => JSON.stringify(entries[i]) === JSON.stringify(l));
  return { entries: loopback ? entries.slice(LOOPBACK_ENTRIES.length) : entries, loopback };
}

/** What resolv.conf says: the nameservers in order, the search list, the options. */
export interface Resolver {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function renderResolvConf(marker: string, r: Resolver): string {
  const lines = [markLine(marker), NOTE, ...r.nameservers.map((n) => `nameserver ${n}`)];
  if (r.search.length > 0) lines.push(`search ${r.search.join(" ")}`);
  if (r.options.length > 0) lines.push(`options ${r.options.join(" ")}`);
  return `${lines.join("\n")}\n`;
}

/** Parses resolv.conf as the resolver reads it: the last `search` wins, `options` add up. */
export function parseResolvConf(text: string): Resolver {
  const r: Resolver = { nameservers: [], search: [], options: [] };
  for (const line of text.split("\n")) {
    const [keyword, ...words] = line
      .replace(/[#;].*/, "")
      .trim()
      .split(/\s+/);
    if (keyword === "nameserver" && words[0] !== undefined) r.nameservers.push(words[0]);
    else if (keyword === "search" || keyword === "domain") r.search = words;
    else if (keyword === "options") r.options.push(...words);
  }
  return r;
}
