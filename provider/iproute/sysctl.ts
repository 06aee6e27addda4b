/**
 * Sysctls through /proc/sys: paths and argv, pure, no I/O. Inside a named namespace they are read
 * and written with `ip netns exec NETNS cat|tee PATH`, since /proc/sys/net shows the namespace of
 * the process that opens it; in the root namespace the runner reads and writes the file itself.
 */

/** net.ipv4.ip_forward -> /proc/sys/net/ipv4/ip_forward (the key is validated: no `/`, no `..`). */
export function sysctlPath(key: string): string {
  return `/proc/sys/${key.split(".").join("/")}`;
}

/** `ip netns exec NETNS cat PATH` */
export function sysctlRead(netns: string, key: string): string[] {
  return ["netns", "exec", netns, "cat", sysctlPath(key)];
}

/** `ip netns exec NETNS tee PATH`, with the value on standard input. */
export function sysctlWrite(netns: string, key: string): string[] {
  return ["netns", "exec", netns, "tee", sysctlPath(key)];
}

/** Values compare by their words: the kernel prints tcp_rmem as "4096\t131072\t6291456\n". */
export function normaliseSysctlValue(value: string): string {
  return value.trim().split(/\s+/).join(" ");
}
