/**
 * `ip netns` argv builders: pure, no I/O. (Whether a namespace exists is read from its `lo`, in
 * kinds/net-namespace.ts: one command that also says whose it is.)
 */

/** `ip netns add NAME` */
export function netnsAdd(name: string): string[] {
  return ["netns", "add", name];
}

/** `ip netns delete NAME` */
export function netnsDelete(name: string): string[] {
  return ["netns", "delete", name];
}

/** `ip netns exec NAME PROGRAM ARGS…`: a program run inside the namespace (for its /proc/sys/net). */
export function netnsExec(name: string, argv: readonly string[]): string[] {
  return ["netns", "exec", name, ...argv];
}

/** `ip netns identify PID`: the names of the namespace process PID is in (none for an unnamed one). */
export function netnsIdentify(pid: number): string[] {
  return ["netns", "identify", String(pid)];
}

/** `ip -json netns list`: the named namespaces (read with {@link parseNetnsList}). */
export function netnsList(): string[] {
  return ["-json", "netns", "list"];
}

/** The names `ip -json netns list` printed (nothing at all when there are none). */
export function parseNetnsList(stdout: string): string[] {
  const text = stdout.trim();
  if (text === "") return [];
  return (JSON.parse(text) as { name: string }[]).map((entry) => entry.name);
}
