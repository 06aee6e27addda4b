/**
 * containerlab's topology files (`*.clab.yml`) as a Topology's declaration: the files people have
 * for their labs, brought up as namespaces instead of containers.
 *
 * - `topology.nodes` become nodes; a node of kind `bridge` or `ovs-bridge` becomes a segment, whose
 *   members are the nodes linked to it. A node's `exec` (strings, which containerlab splits into
 *   words) becomes its startup commands, split the same way, quotes kept, no shell.
 * - `topology.links` become links, each endpoint's interface name kept where Linux takes it.
 *   Two links between the same two nodes stay two links.
 * - What has no namespace counterpart is said, each once, in the file's own terms, and never
 *   silently dropped: a container's image (the node is a namespace, it runs no image), its
 *   `startup-config` and any other property of a node, its kind or the defaults, what else the
 *   file holds (`prefix`, `topology.groups`), a kind that needs a VM, an endpoint on the host or of
 *   a link type other than veth, an `exec` that needs a shell. The management network is left out
 *   unless asked for.
 *
 * containerlab leaves the data plane's addresses to the nodes (their `exec` or their images), so
 * the subnets come from `pools`, and a node on two or more networks is a router unless `routers`
 * says which are.
 *
 * Pure: the file's text in, the declaration and what did not map out.
 */
import { parse } from "yaml";
import { interfaceName } from "../../../commands/names.js";
import { isProblem } from "../../../rule.js";
import type { TopologyLink, TopologyNode, TopologySegment, TopologySpec } from "./spec.js";

export interface ContainerlabOptions {
  /** Where the networks' subnets come from: containerlab files leave them to the nodes. */
  pools: NonNullable<TopologySpec["pools"]>;
  /** Put before every namespace's name. @default the lab's name and "-" */
  prefix?: string | undefined;
  /** The nodes that forward, by name. @default every node on two or more networks */
  routers?: string[] | undefined;
  /** The management network (`mgmt`): left out, or a segment named `mgmt` that every node joins. @default "ignore" */
  mgmt?: "ignore" | "segment" | undefined;
  /** The Topology's checks. @default none */
  checks?: TopologySpec["checks"];
}

/** A containerlab file as a lab of namespaces. */
export interface ContainerlabLab {
  /** The lab's `name`. */
  name: string;
  /** The Topology's declaration: `new Topology(name, lab.spec)`. */
  spec: Omit<TopologySpec, "machines">;
  /** What of the file has no counterpart here, each said once. */
  unmapped: string[];
}

/** The kinds containerlab runs as a bridge on its host: a segment here. */
const BRIDGE_KINDS = new Set(["bridge", "ovs-bridge"]);

/** A node's properties that are used; every other one is said not to be. */
const USED = new Set(["kind", "exec"]);

/** Reads a containerlab topology file; throws naming what makes it no such file. */
export function fromContainerlab(text: string, options: ContainerlabOptions): ContainerlabLab {
  const file = parse(text) as unknown;
  const name = field(file, "name");
  if (typeof name !== "string" || name === "") throw new Error("containerlab file: `name` must be the lab's name");
  const topology = field(file, "topology");
  const declared = field(topology, "nodes");
  if (!isRecord(declared) || Object.keys(declared).length === 0) {
    throw new Error("containerlab file: `topology.nodes` must name the lab's nodes");
  }
  const unmapped = new Set<string>();
  const say = (what: string) => unmapped.add(what);
  for (const key of Object.keys(isRecord(file) ? file : {})) {
    if (!["name", "mgmt", "topology"].includes(key)) say(`${key} has no counterpart here and is left out`);
  }
  for (const key of Object.keys(isRecord(topology) ? topology : {})) {
    if (!["nodes", "links", "kinds", "defaults"].includes(key)) {
      say(`topology.${key} has no counterpart here and is left out`);
    }
  }

  const defaults = field(topology, "defaults");
  const kinds = field(topology, "kinds");
  const kindOf = (node: unknown) => String(field(node, "kind") ?? field(defaults, "kind") ?? "linux");
  const bridges = new Set(Object.keys(declared).filter((n) => BRIDGE_KINDS.has(kindOf(declared[n]))));

  const nodes: TopologyNode[] = [];
  for (const [nodeName, node] of Object.entries(declared)) {
    if (bridges.has(nodeName)) continue;
    const kind = kindOf(node);
    const at = `nodes.${nodeName}`;
    const image = field(node, "image") ?? field(field(kinds, kind), "image") ?? field(defaults, "image");
    if (image !== undefined) say(`${at}: image ${image} is not run: the node is a namespace`);
    if (kind.startsWith("vr-") || kind.endsWith("_vm")) say(`${at}: kind ${kind} needs a VM: the node is a namespace`);
    // What else the node has, of its own, from its kind or from the defaults.
    for (const [where, props] of [
      [at, node],
      [`topology.kinds.${kind}`, field(kinds, kind)],
      ["topology.defaults", defaults],
    ] as const) {
      for (const key of Object.keys(isRecord(props) ? props : {})) {
        if (!USED.has(key) && key !== "image") say(`${where}.${key} has no counterpart here and is left out`);
      }
    }
    const exec = field(node, "exec") ?? field(field(kinds, kind), "exec") ?? field(defaults, "exec");
    const commands = execCommands(`${at}.exec`, exec, say);
    nodes.push({ name: nodeName, ...(commands.length > 0 ? { exec: commands } : {}) });
  }

  const links: TopologyLink[] = [];
  const segments = new Map<string, TopologySegment>();
  const declaredLinks = field(topology, "links");
  for (const [i, link] of (Array.isArray(declaredLinks) ? declaredLinks : []).entries()) {
    const at = `links[${i}]`;
    const ends = endpointsOf(at, link, say);
    if (ends === undefined) continue;
    const unknownNode = ends.find((e) => !(e.node in declared));
    if (unknownNode !== undefined) {
      say(`${at}: ${unknownNode.node} is no node of topology.nodes; the link is left out`);
      continue;
    }
    const [a, b] = ends as [Endpoint, Endpoint];
    const bridge = bridges.has(a.node) ? a : bridges.has(b.node) ? b : undefined;
    if (bridge !== undefined) {
      const member = bridge === a ? b : a;
      if (bridges.has(member.node)) {
        say(`${at}: a link between two bridges (${a.node}, ${b.node}) is left out`);
        continue;
      }
      const segment = segments.get(bridge.node) ?? { name: bridge.node, members: [], devices: {} };
      segments.set(bridge.node, segment);
      segment.members.push(member.node);
      const device = linuxName(at, member, say);
      if (device !== undefined) (segment.devices as Record<string, string>)[member.node] = device;
      say(`nodes.${bridge.node}: its ports are named after their members, not as the links name them`);
      continue;
    }
    const devices = [linuxName(at, a, say), linuxName(at, b, say)];
    links.push({
      between: [a.node, b.node],
      ...(devices[0] !== undefined && devices[1] !== undefined ? { devices: devices as [string, string] } : {}),
    });
  }
  for (const bridge of bridges) {
    if (!segments.has(bridge)) say(`nodes.${bridge}: a bridge no link reaches is left out`);
  }

  const mgmt = field(file, "mgmt");
  const segmentList = [...segments.values()];
  if (options.mgmt === "segment") {
    segmentList.push({ name: "mgmt", members: nodes.map((n) => n.name) });
  } else if (mgmt !== undefined) {
    say('mgmt: the management network is left out (ask for it as a segment with mgmt: "segment")');
  }

  const networksOf = new Map<string, number>();
  for (const n of [...links.flatMap((l) => l.between), ...segmentList.flatMap((s) => s.members)]) {
    networksOf.set(n, (networksOf.get(n) ?? 0) + 1);
  }
  const routers = new Set(
    options.routers ?? nodes.filter((n) => (networksOf.get(n.name) ?? 0) >= 2).map((n) => n.name),
  );
  for (const node of nodes) if (routers.has(node.name)) node.router = true;

  const spec: ContainerlabLab["spec"] = {
    prefix: options.prefix ?? `${name}-`,
    pools: options.pools,
    nodes,
    ...(links.length > 0 ? { links } : {}),
    ...(segmentList.length > 0
      ? {
          segments: segmentList.map((s) =>
            Object.keys(s.devices ?? {}).length > 0 ? s : { name: s.name, members: s.members },
          ),
        }
      : {}),
    ...(options.checks === undefined ? {} : { checks: options.checks }),
  };
  return { name, spec, unmapped: [...unmapped] };
}

interface Endpoint {
  node: string;
  interface: string;
}

/** A link's two endpoints, in either of containerlab's forms (`"node:iface"`, or `{ node, interface }` of a veth link). */
function endpointsOf(at: string, link: unknown, say: (what: string) => void): Endpoint[] | undefined {
  const type = field(link, "type");
  if (type !== undefined && type !== "veth") {
    say(`${at}: a link of type ${type} is left out (only veth links map)`);
    return undefined;
  }
  const raw = field(link, "endpoints");
  if (!Array.isArray(raw) || raw.length !== 2) {
    say(`${at}: a link without two endpoints is left out`);
    return undefined;
  }
  const ends: Endpoint[] = [];
  for (const end of raw) {
    const [node, iface] =
      typeof end === "string"
        ? [end.slice(0, end.indexOf(":")), end.slice(end.indexOf(":") + 1)]
        : [field(end, "node"), field(end, "interface")];
    if (typeof node !== "string" || typeof iface !== "string" || node === "" || iface === "") {
      say(`${at}: the endpoint ${JSON.stringify(end)} is not NODE:INTERFACE; the link is left out`);
      return undefined;
    }
    if (node === "host" || node === "macvlan" || node === "mgmt-net") {
      say(`${at}: an endpoint on ${node} (${node}:${iface}) has no counterpart here; the link is left out`);
      return undefined;
    }
    ends.push({ node, interface: iface });
  }
  return ends;
}

/** The endpoint's interface name, when Linux takes it; otherwise said, and left to Topology's naming. */
function linuxName(at: string, end: Endpoint, say: (what: string) => void): string | undefined {
  const checked = interfaceName(end.interface);
  if (!isProblem(checked) && end.interface !== "lo") return end.interface;
  say(`${at}: ${end.node}:${end.interface} is no Linux interface name; the interface is named after the far end`);
  return undefined;
}

/** A node's `exec` as argv lists: each string split into words as containerlab does, with quotes and no shell. */
function execCommands(at: string, exec: unknown, say: (what: string) => void): string[][] {
  if (exec === undefined) return [];
  if (!Array.isArray(exec)) {
    say(`${at} is not a list of commands and is left out`);
    return [];
  }
  return exec.flatMap((command, i) => {
    const words = typeof command === "string" ? shellWords(command) : undefined;
    if (words === undefined) {
      const why = "needs a shell (pipes, redirections, variables, globs or ;) and is not run";
      say(`${at}[${i}] (${JSON.stringify(command)}) ${why}`);
      return [];
    }
    if (words.length === 0) say(`${at}[${i}] is empty and is not run`);
    return words.length === 0 ? [] : [words];
  });
}

/**
 * A command line split into words as a shell would, quotes and backslashes honoured; undefined
 * when it uses what only a shell does (`;`, `|`, `&`, `<`, `>`, `$`, backquotes, parentheses, globs).
 */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "$" || c === "`") return undefined;
      else if (c === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (";|&<>$`*?[()".includes(c)) {
      return undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote !== undefined) return undefined;
  if (word !== undefined) words.push(word);
  return words;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}
