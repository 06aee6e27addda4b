/**
 * What a reachability check runs and reads: `ping` for ICMP, and the `ip route get` and
 * `ip neigh show` that explain a failed one. Argv builders and parsers, pure, no I/O.
 */

/** `ping -n -c 1 -W TIMEOUT ADDRESS`: one echo request, waiting at most TIMEOUT seconds for its reply. */
export function pingArgv(address: string, timeoutSeconds: number): string[] {
  return ["ping", "-n", "-c", "1", "-W", String(timeoutSeconds), address];
}

/** The round-trip time of the reply in `ping`'s output, in milliseconds; undefined without one. */
export function pingRtt(stdout: string): number | undefined {
  const match = /time[=<]([0-9.]+) ms/.exec(stdout);
  return match === null ? undefined : Number(match[1]);
}

/** `ip -json route get ADDRESS`: the route the kernel would take to ADDRESS. */
export function routeGet(address: string): string[] {
  return ["-json", "route", "get", address];
}

/** The route `ip -json route get` chose: its gateway (none when the address is on a connected network) and device. */
export function parseRouteGet(stdout: string): { gateway: string | undefined; device: string | undefined } {
  const [route] = JSON.parse(stdout) as Array<{ gateway?: unknown; dev?: unknown }>;
  return {
    gateway: typeof route?.gateway === "string" ? route.gateway : undefined,
    device: typeof route?.dev === "string" ? route.dev : undefined,
  };
}

/** `ip -json neigh show ADDRESS dev DEVICE`: what the neighbour table knows of ADDRESS on DEVICE. */
export function neighShow(address: string, device: string): string[] {
  return ["-json", "neigh", "show", address, "dev", device];
}

/**
 * Whether a neighbour answered: `REACHABLE`, `STALE`, `DELAY` and `PROBE` entries did; an
 * `INCOMPLETE` or `FAILED` one, or none, did not.
 */
export function neighbourAnswered(stdout: string): boolean {
  const text = stdout.trim();
  if (text === "" || text === "null") return false;
  const entries = JSON.parse(text) as Array<{ state?: unknown }>;
  return entries.some(
    (e) =>
      Array.isArray(e.state) && e.state.some((s) => ["REACHABLE", "STALE", "DELAY", "PROBE", "PERMANENT"].includes(s)),
  );
}
