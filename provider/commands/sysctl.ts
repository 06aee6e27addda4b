/**
 * Sysctls through /proc/sys: paths and values, pure, no I/O. A namespace's handle reads and writes
 * the file as that namespace sees it (machine/machine.ts).
 */

/** net.ipv4.ip_forward -> /proc/sys/net/ipv4/ip_forward (the key is validated: no `/`, no `..`). */
export function sysctlPath(key: string): string {
  return `/proc/sys/${key.split(".").join("/")}`;
}

/** Values compare by their words: the kernel prints tcp_rmem as "4096\t131072\t6291456\n". */
export function normaliseSysctlValue(value: string): string {
  return value.trim().split(/\s+/).join(" ");
}
