/**
 * `ip link` argv builders and parsers: pure, no I/O.
 */

/** `ip -json link show dev DEVICE` */
export function linkShow(device: string): string[] {
  return ["-json", "link", "show", "dev", device];
}

/** `ip link set dev DEVICE up|down` */
export function linkSetState(device: string, up: boolean): string[] {
  return ["link", "set", "dev", device, up ? "up" : "down"];
}

/** What we read back about one link. */
export interface LinkInfo {
  ifname: string;
  ifindex: number;
  /** Administratively up: the UP flag, what `ip link set … up` sets (not the carrier state). */
  up: boolean;
  mtu: number;
  address: string | undefined;
}

/** Parses `ip -json link show` output (an array of links). */
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
    return {
      ifname: e.ifname,
      ifindex: e.ifindex,
      up: e.flags.includes("UP"),
      mtu: typeof e.mtu === "number" ? e.mtu : 0,
      address: typeof e.address === "string" ? e.address : undefined,
    };
  });
}
