/**
 * A planned topology as plain commands: what the lab is, in `ip`'s own words, one command per
 * object. Topology's `script` output, for users to read (or to run where Pulumi is not), and the
 * benchmark's baseline: the shell script one would otherwise write for the same lab.
 *
 * Pure: the plan in, text out. Every name in a plan is an interface or namespace name, an address
 * or a number, none of which needs quoting in a shell; the words of a node's startup commands are
 * quoted where they need it.
 */
import { familyOf } from "../../../commands/address.js";
import { qdiscReplace } from "../../../commands/qdisc.js";
import { sysctlPath } from "../../../commands/sysctl.js";
import { FORWARDING, familiesOf } from "./forwarding.js";
import type { PlannedNode, PlannedTunnel, TopologyPlan } from "./spec.js";

/** The commands of a plan: `up` makes the lab, `checks` probes it, `down` takes it away. */
export interface TopologyCommands {
  up: string[];
  checks: string[];
  down: string[];
}

/** Every command of `plan`, one per object, grouped as a machine's part when the lab spans several. */
export function topologyCommands(plan: TopologyPlan): TopologyCommands {
  const nodes = new Map(plan.nodes.map((node) => [node.name, node]));
  const ipIn = (netns: string | undefined) => (netns === undefined ? "ip" : `ip -n ${netns}`);
  const netnsOf = (node: string) => nodes.get(node)?.netns;
  const up: string[] = [];
  const down: string[] = [];

  for (const node of plan.nodes) {
    if (node.netns === undefined) continue;
    up.push(`ip netns add ${node.netns}`, `ip -n ${node.netns} link set dev lo up`);
    down.push(`ip netns delete ${node.netns}`);
  }
  const tunnelEnd = (end: PlannedTunnel, name: string, netns: string | undefined, then: string) => {
    up.push(
      `ip link add name ${name} type vxlan id ${end.vni} local ${end.local} remote ${end.remote} dstport 4789${end.device === undefined ? "" : ` dev ${end.device}`}`,
      ...(netns === undefined ? [] : [`ip link set dev ${name} netns ${netns}`]),
      `${ipIn(netns)} link set dev ${name}${then} up`,
    );
  };
  for (const segment of plan.segments) {
    const ns = segment.netns;
    const mtu = segment.mtu === undefined ? "" : ` mtu ${segment.mtu}`;
    up.push(
      `ip netns add ${ns}`,
      `ip -n ${ns} link set dev lo up`,
      `ip -n ${ns} link add name ${segment.bridge} type bridge`,
      `ip -n ${ns} link set dev ${segment.bridge} up`,
    );
    down.push(`ip netns delete ${ns}`);
    for (const member of segment.members) {
      const netns = netnsOf(member.node);
      if (member.tunnel !== undefined) {
        const [own, port] = member.tunnel;
        tunnelEnd(own, member.device, netns, mtu);
        tunnelEnd(port, member.port, ns, ` master ${segment.bridge}${mtu}`);
        continue;
      }
      up.push(
        `ip -n ${ns} link add name ${member.port}${mtu} type veth peer name ${member.device}${mtu}${netns === undefined ? " netns 1" : ` netns ${netns}`}`,
        `ip -n ${ns} link set dev ${member.port} master ${segment.bridge} up`,
        `${ipIn(netns)} link set dev ${member.device} up`,
      );
    }
  }
  for (const link of plan.links) {
    const [a, b] = link.ends;
    const [na, nb] = [netnsOf(a.node), netnsOf(b.node)];
    const mtu = link.mtu === undefined ? "" : ` mtu ${link.mtu}`;
    if (link.tunnel !== undefined) {
      tunnelEnd(link.tunnel[0], a.device, na, mtu);
      tunnelEnd(link.tunnel[1], b.device, nb, mtu);
      continue;
    }
    up.push(
      `${ipIn(na)} link add name ${a.device} type veth peer name ${b.device}${nb === undefined ? " netns 1" : ` netns ${nb}`}`,
      `${ipIn(na)} link set dev ${a.device} up`,
      `${ipIn(nb)} link set dev ${b.device} up`,
    );
    // A link between two nodes in the root namespace goes with neither namespace: it is deleted by itself.
    if (na === undefined && nb === undefined) down.push(`ip link delete ${a.device}`);
  }
  for (const link of plan.links) {
    link.ends.forEach((end, j) => {
      const shaping = link.shaping?.[j];
      const netns = netnsOf(end.node);
      const tc = netns === undefined ? "tc" : `tc -n ${netns}`;
      if (shaping) up.push(`${tc} ${qdiscReplace(end.device, shaping).join(" ")}`);
    });
  }
  for (const node of plan.nodes) up.push(...nodeCommands(node, ipIn(node.netns)));
  if (plan.hosts.length > 0) {
    const lines = plan.hosts.map((entry) => `${entry.address} ${entry.names.join(" ")}`);
    for (const node of plan.nodes) {
      if (node.netns === undefined) continue;
      up.push(
        `mkdir -p /etc/netns/${node.netns}`,
        `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(" ")} > /etc/netns/${node.netns}/hosts`,
      );
      down.push(`rm -r /etc/netns/${node.netns}`);
    }
    // The folder goes too once it is empty, as it was before the lab (if it was there, `ip` keeps none of it).
    down.push("rmdir --ignore-fail-on-non-empty /etc/netns");
  }
  for (const node of plan.nodes) {
    for (const command of node.exec ?? []) up.push(`ip netns exec ${node.netns} ${command.map(shellWord).join(" ")}`);
  }
  for (const node of plan.nodes) {
    if (node.netns !== undefined || !node.router) continue;
    for (const family of familiesOf(node))
      down.push(`echo 0 > ${sysctlPath(FORWARDING[family])}  # or the value it had before`);
  }
  // Up to three tries, as a ReachabilitySet's: the first packets through a lab that has just come up
  // can be lost while its routers resolve their neighbours.
  const checks = plan.checks.map((check) => {
    const from = netnsOf(check.from);
    const ping = `${from === undefined ? "" : `ip netns exec ${from} `}ping -c 1 -W 1 ${check.address}`;
    return `${ping} || ${ping} || ${ping}  # ${check.from} reaches ${check.to}`;
  });
  return { up, checks, down };
}

/** A node's forwarding, addresses and routes. */
function nodeCommands(node: PlannedNode, ip: string): string[] {
  const lines: string[] = [];
  if (node.router) {
    for (const family of familiesOf(node)) {
      lines.push(
        node.netns === undefined
          ? `echo 1 > ${sysctlPath(FORWARDING[family])}`
          : `echo 1 | ip netns exec ${node.netns} tee ${sysctlPath(FORWARDING[family])} >/dev/null`,
      );
    }
  }
  for (const iface of node.interfaces) {
    for (const address of iface.addresses) {
      lines.push(`${ip} address add ${address} dev ${iface.name}${familyOf(address) === 6 ? " nodad" : ""}`);
    }
  }
  for (const route of node.routes) {
    const family = familyOf(route.via) === 6 ? " -6" : "";
    lines.push(`${ip}${family} route add ${route.destination} via ${route.via} dev ${route.device}`);
  }
  return lines;
}

/** The plan as a shell script: the lab made, then checked; how to take it away, as comments at the end. */
export function topologyScript(plan: TopologyPlan): string {
  const { up, checks, down } = topologyCommands(plan);
  return [
    "#!/bin/sh",
    "# The lab as plain commands, one per object: what pulumi-netns makes for it (run as root).",
    "set -e",
    ...up,
    ...(checks.length > 0 ? ["# The checks:", ...checks] : []),
    "# To take it away:",
    ...down.map((line) => `#   ${line}`),
    "",
  ].join("\n");
}

/** A word as sh reads it back: as it is when it is plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@+%,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
