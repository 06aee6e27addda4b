/**
 * `ip link` argv builders and parsers: pure, no I/O.
 */

/** What we read back about one link. */
export interface LinkInfo {
  ifname: string;
  ifindex: number;
  /** Administratively up: the UP flag, what `ip link set … up` sets (not the carrier state). */
  up: boolean;
  mtu: number;
  address: string | undefined;
  /** The interface alias (`ip link set dev DEVICE alias TEXT`), where pulumi-netns puts its mark. */
  alias: string | undefined;
  /** The kind of link (`veth`, `bridge`…), when `-details` were asked for and it has one. */
  kind: string | undefined;
  /** The index of the link it is bound to (`link_index`): a veth's peer, in the peer's namespace. */
  link: number | undefined;
  /** The link it is bound to by name, when that one is in the same namespace (`link`): a veth's peer there. */
  linkName: string | undefined;
  /** The bridge it is a port of (`master`), by name. */
  master: string | undefined;
  /** A bridge's own options, when it is one and `-details` were asked for. */
  bridge: BridgeOptions | undefined;
  /** A VXLAN link's tunnel, likewise. */
  vxlan: VxlanOptions | undefined;
  /** A macvlan link's mode, likewise. */
  macvlan: { mode: string } | undefined;
  /** Its addresses as `ADDRESS/PREFIX` in iproute2's spelling (from `ip address show` only). */
  addresses: string[];
  /** Those of its addresses that skip duplicate address detection (`nodad`, IPv6 only). */
  nodad: string[];
}

/**
 * `ip -details -json address show`: every link of the namespace, with its details and addresses,
 * in one command. What the reads of a namespace share (see `sharedRead` in runner.ts).
 */
export function namespaceShow(): string[] {
  return ["-details", "-json", "address", "show"];
}

/** Parses `ip -json link show` or `ip -json address show` output (an array of links). */
export function parseLinks(stdout: string): LinkInfo[] {
  const text = stdout.trim();
  if (text === "" || text === "null") return [];
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`unexpected output of 'ip -json link show': ${text.slice(0, 200)}`);
  return parsed.map((entry: unknown): LinkInfo => {
    const e = entry as Record<string, unknown> | null;
    if (e === null || typeof e.ifname !== "string" || typeof e.ifindex !== "number" || !Array.isArray(e.flags)) {
      throw new Error(`unexpected entry in 'ip -json link show': ${JSON.stringify(entry)}`);
    }
    const linkinfo = e.linkinfo as { info_kind?: unknown; info_data?: Record<string, unknown> } | undefined;
    return {
      ifname: e.ifname,
      ifindex: e.ifindex,
      up: e.flags.includes("UP"),
      mtu: typeof e.mtu === "number" ? e.mtu : 0,
      address: typeof e.address === "string" ? e.address : undefined,
      alias: typeof e.ifalias === "string" ? e.ifalias : undefined,
      kind: typeof linkinfo?.info_kind === "string" ? linkinfo.info_kind : undefined,
      link: typeof e.link_index === "number" ? e.link_index : undefined,
      linkName: typeof e.link === "string" ? e.link : undefined,
      master: typeof e.master === "string" ? e.master : undefined,
      bridge: linkinfo?.info_kind === "bridge" ? bridgeOptionsOf(linkinfo.info_data ?? {}) : undefined,
      vxlan: linkinfo?.info_kind === "vxlan" ? vxlanOptionsOf(linkinfo.info_data ?? {}) : undefined,
      macvlan: linkinfo?.info_kind === "macvlan" ? { mode: String(linkinfo.info_data?.mode ?? "") } : undefined,
      addresses: Array.isArray(e.addr_info) ? e.addr_info.flatMap(addressOf) : [],
      nodad: Array.isArray(e.addr_info) ? e.addr_info.filter((a) => a?.nodad === true).flatMap(addressOf) : [],
    };
  });
}

/** ip's options for reading links as {@link parseLinks} takes them: the details say what kind of link it is. */
export const DETAILS_JSON = ["-details", "-json"] as const;

/** `ip link show dev DEVICE`. */
export function linkShow(device: string): string[] {
  return ["link", "show", "dev", device];
}

/** `ip -details -json link show dev DEVICE`. */
export function linkShowDetails(device: string): string[] {
  return [...DETAILS_JSON, ...linkShow(device)];
}

/** What `ip link set` changes; absent properties stay as they are. */
export interface LinkChanges {
  alias?: string | undefined;
  mtu?: number | undefined;
  up?: boolean | undefined;
  /** The bridge to be a port of; `null`: none (`nomaster`). */
  master?: string | null | undefined;
}

/** `ip link set dev DEVICE [alias TEXT] [mtu MTU] [master BRIDGE|nomaster] [up|down]`: several changes, one command. */
export function linkSet(device: string, changes: LinkChanges): string[] {
  const { master } = changes;
  return [
    "link",
    "set",
    "dev",
    device,
    ...(changes.alias === undefined ? [] : ["alias", changes.alias]),
    ...(changes.mtu === undefined ? [] : ["mtu", String(changes.mtu)]),
    ...(master === undefined ? [] : master === null ? ["nomaster"] : ["master", master]),
    ...(changes.up === undefined ? [] : [changes.up ? "up" : "down"]),
  ];
}

/** A bridge's options this library manages, in iproute2's units. */
export interface BridgeOptions {
  /** The spanning tree protocol on (`stp_state 1`) or off. */
  stp: boolean;
  /** How long a port listens and then learns before it forwards, in hundredths of a second (`forward_delay`). */
  forwardDelay: number;
}

function bridgeOptionsOf(data: Record<string, unknown>): BridgeOptions {
  return {
    stp: typeof data.stp_state === "number" && data.stp_state !== 0,
    forwardDelay: typeof data.forward_delay === "number" ? data.forward_delay : 0,
  };
}

/** Some of a bridge's options; absent ones stay as they are. */
export type BridgeChanges = { [K in keyof BridgeOptions]?: BridgeOptions[K] | undefined };

/** The `bridge …` words after `type` in `ip link add` and `ip link set`, for the given options. */
function bridgeWords(options: BridgeChanges): string[] {
  return [
    "bridge",
    // The kernel applies the delay before the STP state, whatever the order of the words.
    ...(options.forwardDelay === undefined ? [] : ["forward_delay", String(options.forwardDelay)]),
    ...(options.stp === undefined ? [] : ["stp_state", options.stp ? "1" : "0"]),
  ];
}

/**
 * `ip -echo -json link add name NAME [mtu MTU] type bridge forward_delay D stp_state S`, echoed like
 * {@link vethAdd}. A new bridge has its STP off until this command's end, so any delay is taken.
 */
export function bridgeAdd(name: string, mtu: number | undefined, options: BridgeOptions): string[] {
  return ["-echo", "-json", ...linkAdd(name, { mtu }, bridgeWords(options))];
}

/** `ip link set dev NAME type bridge [forward_delay D] [stp_state S]`. */
export function bridgeSet(name: string, options: BridgeChanges): string[] {
  return ["link", "set", "dev", name, "type", ...bridgeWords(options)];
}

/** `ip link delete dev DEVICE` (for a veth, this removes both ends). */
export function linkDelete(device: string): string[] {
  return ["link", "delete", "dev", device];
}

/**
 * `ip link add name NAME mtu MTU type veth peer name PEER [netns PEER_NETNS] mtu MTU`: both ends
 * in one kernel step, so no half pair can exist. Run it in the namespace `NAME` is to live in.
 * (Neither an alias nor, for the peer, `up` can be given here: the kernel drops the one and refuses
 * the other, so they are set after it.)
 */
export function vethAdd(
  name: string,
  peerName: string,
  peerNetns: string | undefined,
  mtu: number | undefined,
): string[] {
  const mtuArgs = mtu === undefined ? [] : ["mtu", String(mtu)];
  const netnsArgs = peerNetns === undefined ? [] : ["netns", peerNetns];
  return [
    "link",
    "add",
    // Named by keyword: a bare name that is a prefix of one of ip's words ("a" of "address")
    // would be read as that word.
    "name",
    name,
    ...mtuArgs,
    "type",
    "veth",
    "peer",
    "name",
    peerName,
    ...netnsArgs,
    ...mtuArgs,
  ];
}

/** One `addr_info` entry as `ADDRESS/PREFIX`; none when it lacks either. */
function addressOf(info: { local?: unknown; prefixlen?: unknown }): string[] {
  return typeof info.local === "string" && typeof info.prefixlen === "number"
    ? [`${info.local}/${info.prefixlen}`]
    : [];
}

/** A VXLAN link's tunnel, as this library declares it and reads it back. */
export interface VxlanOptions {
  /** The VXLAN network identifier (`id`). */
  vni: number;
  /** The source address of the tunnel's packets (`local`). */
  local?: string | undefined;
  /** The one far end, for a point-to-point tunnel (`remote`). */
  remote?: string | undefined;
  /** The multicast group of a tunnel with many ends (`group`). */
  group?: string | undefined;
  /** The UDP port (`dstport`). */
  dstport: number;
  /** Whether unknown source MACs are learnt into the forwarding database (`learning` / `nolearning`). */
  learning: boolean;
}

function vxlanOptionsOf(data: Record<string, unknown>): VxlanOptions {
  const address = (key: string) => (typeof data[key] === "string" ? (data[key] as string) : undefined);
  const multicast = address("group") ?? address("group6");
  return {
    vni: typeof data.id === "number" ? data.id : 0,
    local: address("local") ?? address("local6"),
    remote: address("remote") ?? address("remote6"),
    group: multicast,
    dstport: typeof data.port === "number" ? data.port : 0,
    learning: data.learning === true,
  };
}

/** Where a new link is put, and its MTU: the words of `ip link add` before its `type`. */
interface Placing {
  /** The device it sits on (`link DEVICE`). */
  link?: string | undefined;
  mtu?: number | undefined;
  /** The namespace it is sent to as it is made (`netns NETNS`); absent: where the command runs. */
  into?: string | undefined;
}

/** `ip link add name NAME [link DEVICE] [mtu MTU] [netns NETNS] type TYPE…`: named by keyword, as in {@link vethAdd}. */
function linkAdd(name: string, placing: Placing, type: string[]): string[] {
  return [
    "link",
    "add",
    "name",
    name,
    ...(placing.link === undefined ? [] : ["link", placing.link]),
    ...(placing.mtu === undefined ? [] : ["mtu", String(placing.mtu)]),
    ...(placing.into === undefined ? [] : ["netns", placing.into]),
    "type",
    ...type,
  ];
}

/**
 * `ip link add name NAME [mtu MTU] [netns NETNS] type vxlan id VNI [local A] [remote B | group G]
 * dstport P [dev DEVICE] learning|nolearning`. Run where the underlay is (`DEVICE`, `local`): the
 * tunnel's socket stays there when `netns` puts the link itself in another namespace.
 */
export function vxlanAdd(name: string, placing: Placing, device: string | undefined, o: VxlanOptions): string[] {
  return linkAdd(name, placing, [
    "vxlan",
    "id",
    String(o.vni),
    ...(o.local === undefined ? [] : ["local", o.local]),
    ...(o.remote === undefined ? [] : ["remote", o.remote]),
    ...(o.group === undefined ? [] : ["group", o.group]),
    "dstport",
    String(o.dstport),
    ...(device === undefined ? [] : ["dev", device]),
    o.learning ? "learning" : "nolearning",
  ]);
}

/** `ip link set dev NAME type vxlan learning|nolearning`: the one tunnel option the kernel changes in place here. */
export function vxlanSetLearning(name: string, learning: boolean): string[] {
  return ["link", "set", "dev", name, "type", "vxlan", learning ? "learning" : "nolearning"];
}

/** How a macvlan link reaches its siblings on the same parent (`mode`). */
export const macvlanModes = ["bridge", "private", "vepa", "passthru"] as const;
export type MacvlanMode = (typeof macvlanModes)[number];

/**
 * `ip link add name NAME link PARENT [mtu MTU] [netns NETNS] type macvlan mode MODE`, run where
 * `PARENT` is; `netns` puts the new link in another namespace.
 */
export function macvlanAdd(name: string, placing: Placing & { link: string }, mode: MacvlanMode): string[] {
  return linkAdd(name, placing, ["macvlan", "mode", mode]);
}
