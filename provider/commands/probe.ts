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

/**
 * A TCP probe that needs only bash (its /dev/tcp) and coreutils (`timeout`, `cat`): the
 * one for other hosts, where Node.js is seldom installed. `$1` address, `$2` port, `$3` timeout in
 * seconds. It connects, takes the time, then reads what the server sends for a moment before it
 * closes, so that the close is a FIN and not a reset (a reset kills some small servers, which a
 * readiness probe would then kill). It prints `reached MICROSECONDS` or `error CODE`, CODE as
 * Node's probe names it.
 */
const TCP_PROBE_SCRIPT = [
  // The inner bash connects and takes the times itself ($EPOCHREALTIME, bash 5; `date` before), so
  // that no process start is counted in the round trip.
  `c='s=\${EPOCHREALTIME:-$(date +%s.%6N)}; exec 3<>"/dev/tcp/$0/$1" || exit 3; t=\${EPOCHREALTIME:-$(date +%s.%6N)}; ` +
    `echo "\${s//[.,]/} \${t//[.,]/}"; timeout 0.2 cat <&3 >/dev/null; exit 0'`,
  'o=$(timeout "$3" bash -c "$c" "$1" "$2" 2>&1)',
  "r=$?",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's own expansion (the last line)
  "set -- ${o##*$'\\n'}",
  'if [ "$r" = 0 ]; then echo "reached $(( $2 - $1 ))"',
  'elif [ "$r" = 124 ]; then echo "error ETIMEDOUT"',
  'else case "$o" in *refused*) echo "error ECONNREFUSED";; *"No route"*) echo "error EHOSTUNREACH";;',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's own expansion (what it said, made safe)
  '  *unreachable*) echo "error ENETUNREACH";; *) echo "error ${o//[^A-Za-z0-9 .:_-]/ }";; esac; fi',
].join("\n");

/** `bash -c SCRIPT …`: the TCP probe of {@link TCP_PROBE_SCRIPT}. */
export function bashTcpProbeArgv(address: string, port: number, timeoutSeconds: number): string[] {
  return ["bash", "-c", TCP_PROBE_SCRIPT, "tcp-probe", address, String(port), String(timeoutSeconds)];
}

/** What {@link bashTcpProbeArgv} printed, as a probe's answer; undefined when it printed nothing it would. */
export function parseBashTcpProbe(stdout: string): { reached: boolean; rtt?: number; error?: string } | undefined {
  const reached = /^reached (\d+)$/m.exec(stdout);
  if (reached !== null) return { reached: true, rtt: Number(reached[1]) / 1000 };
  const error = /^error (.+)$/m.exec(stdout);
  return error === null ? undefined : { reached: false, error: (error[1] as string).trim() };
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
