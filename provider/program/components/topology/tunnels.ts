/**
 * Topologies across machines: the machines declared, the VXLAN tunnel a link or a segment port
 * between two of them becomes, its VNI (stable as the lab grows) and the MTU that fits it.
 */

import { ipAddress } from "../../../commands/address.js";
import { isProblem } from "../../../rule.js";
import { interfaceNamed } from "./problems.js";
import type { PlannedTunnel, TopologyMachine, TopologySpec } from "./spec.js";

/** The machines of `machines`, checked once; and the tunnels between them. */
export class Machines {
  private readonly declared: Map<string, TopologyMachine>;
  private readonly first: string | undefined;

  constructor(
    spec: TopologySpec,
    private readonly problems: string[],
  ) {
    this.declared = new Map(Object.entries(spec.machines ?? {}));
    this.first = this.declared.keys().next().value;
    for (const [name, machine] of this.declared) {
      const at = `machines.${name}`;
      const underlay = ipAddress(machine.underlay ?? "");
      if (isProblem(underlay)) problems.push(`${at}.underlay "${machine.underlay}" ${underlay.problem}`);
      if (machine.device !== undefined) interfaceNamed(`${at}.device`, machine.device, "", problems);
      const mtu = machine.mtu;
      if (mtu !== undefined && (!Number.isInteger(mtu) || mtu < 1280 || mtu > 65535)) {
        problems.push(`${at}.mtu ${mtu} must be a whole number from 1280 to 65535`);
      }
    }
  }

  /** The machine a node or segment names (or the first one); a name not declared is a problem. */
  of(at: string, name: string | undefined): string | undefined {
    if (name === undefined) return this.first;
    if (!this.declared.has(name)) this.problems.push(`${at} "${name}" is not one of machines`);
    return name;
  }

  /** The two ends of a tunnel from machine `a` to machine `b`; none when they are one machine. */
  tunnel(vni: () => number, a: string | undefined, b: string | undefined): [PlannedTunnel, PlannedTunnel] | undefined {
    if (a === b || a === undefined || b === undefined) return undefined;
    const [ma, mb] = [this.declared.get(a), this.declared.get(b)] as [TopologyMachine, TopologyMachine];
    const number = vni();
    const end = (machine: string, here: TopologyMachine, there: TopologyMachine): PlannedTunnel => ({
      vni: number,
      machine,
      local: here.underlay,
      remote: there.underlay,
      ...(here.device === undefined ? {} : { device: here.device }),
    });
    return [end(a, ma, mb), end(b, mb, ma)];
  }

  /** The MTU that fits every one of these tunnels: the smallest underlay's, less VXLAN's overhead. */
  mtu(tunnels: PlannedTunnel[]): number | undefined {
    if (tunnels.length === 0) return undefined;
    // Outer IPv4 (20) or IPv6 (40) header, UDP (8), VXLAN (8) and the inner Ethernet header (14).
    const fits = (t: PlannedTunnel) => (this.declared.get(t.machine)?.mtu ?? 1500) - (t.local.includes(":") ? 70 : 50);
    return Math.min(...tunnels.map(fits));
  }
}

/**
 * The VNIs of a lab's tunnels: each from a hash of the prefix and what it joins, so it stays while
 * the lab grows and differs between labs of other prefixes; one taken already moves to the next free.
 */
export class Vnis {
  private readonly taken = new Set<number>();

  constructor(private readonly prefix: string) {}

  /** The VNI for `key`, worked out only when a tunnel needs one. */
  next(key: string): () => number {
    return () => {
      let vni = (fnv1a(`${this.prefix}\u0000${key}`) % 16777214) + 1;
      while (this.taken.has(vni)) vni = (vni % 16777214) + 1;
      this.taken.add(vni);
      return vni;
    };
  }
}

/** FNV-1a, 32 bits: a small, stable hash of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}
