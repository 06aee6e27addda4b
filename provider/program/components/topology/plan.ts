/**
 * Topology planning: from a declaration of nodes, point-to-point links and shared segments, every
 * namespace, interface, address and route the Topology component makes. Pure (no Pulumi, no I/O),
 * so every problem with a declaration is found, all at once, before anything is made.
 *
 * The rules, chosen so that changing a declaration changes only what it names:
 * - Interfaces are named after what is on their other side (unless `devices` names them): a
 *   node's interface on a segment after the segment, on a link after the node at the far end (and
 *   `-K` on the K-th link between the same two nodes); in a segment's own namespace the bridge is
 *   named after the segment and each port after its member. Namespaces carry the prefix,
 *   interfaces need none, so node and segment names are at most 15 bytes (IFNAMSIZ) and no
 *   interface name ever grows with the prefix.
 * - A node's address on every network is that network's address number `number` (by default its
 *   position in `nodes`, from 1, or as the link's or segment's `numbers` say): appending a node, or
 *   moving one to another segment, moves no one else. A /31 or /127 numbers its two ends 0 and 1.
 * - Networks without a declared subnet are taken from the pools, /24 (IPv4) and /64 (IPv6), links a
 *   /31 and a /127 with `pointToPoint`: segments from the start of the pool in their order, links
 *   from its end, skipping declared subnets. Append segments and links to keep existing ones where
 *   they are.
 * - Routes: for each node and each network it is not on, the first router on a shortest path
 *   (through routers only); a node that is not a router and reaches everything through one
 *   gateway gets a default route instead.
 */

import { netnsName } from "../../../commands/names.js";
import { SHAPING_RULES, shapingProblems } from "../../../commands/qdisc.js";
import { isProblem } from "../../../rule.js";
import { allocate, checkNumbers, checkOverlaps, declaredNetwork, type Network, subnetsOf } from "./addressing.js";
import { planChecks } from "./checks.js";
import { planHosts } from "./hosts.js";
import { checkDevices, checkNames, interfaceNamed, topologyError } from "./problems.js";
import { planNodes } from "./routing.js";
import type {
  LinkShaping,
  PlannedLink,
  PlannedNode,
  TopologyLink,
  TopologyNode,
  TopologyPlan,
  TopologySpec,
} from "./spec.js";
import { Machines, Vnis } from "./tunnels.js";

/** Plans a topology, or throws one error that names every problem with the declaration. */
export function planTopology(spec: TopologySpec): TopologyPlan {
  const problems: string[] = [];
  const prefix = spec.prefix ?? "";
  const nodes = spec.nodes ?? [];
  const segments = spec.segments ?? [];
  const links = spec.links ?? [];
  if (nodes.length === 0) problems.push("nodes: a topology needs at least one node");

  const where = new Map<string, string>();
  const namespaces = new Map<string, string>();
  const named = (at: string, name: string, netns: string | undefined) => {
    const earlier = where.get(name);
    if (earlier !== undefined) {
      problems.push(`${at}.name "${name}" is taken by ${earlier}`);
      return;
    }
    where.set(name, at);
    if (netns === undefined) return;
    const asNetns = netnsName(netns);
    if (isProblem(asNetns)) problems.push(`${at}: the namespace name "${netns}" ${asNetns.problem}`);
    const holder = namespaces.get(netns);
    if (holder !== undefined) problems.push(`${at}: the namespace "${netns}" is ${holder}'s already`);
    else namespaces.set(netns, at);
  };
  const netnsOf = new Map<string, string | undefined>();
  for (const [i, node] of nodes.entries()) {
    const netns = node.root === true ? undefined : (node.netns ?? `${prefix}${node.name}`);
    if (node.root === true && node.netns !== undefined) {
      problems.push(`nodes[${i}] has both root and netns: the root namespace has no name`);
    }
    netnsOf.set(node.name, netns);
    named(`nodes[${i}]`, node.name, netns);
    if (node.exec !== undefined) checkExec(`nodes[${i}].exec`, node, problems);
  }
  for (const [i, segment] of segments.entries()) {
    named(`segments[${i}]`, segment.name, `${prefix}${segment.name}`);
    interfaceNamed(`segments[${i}].name`, segment.name, "it names the bridge and the members' interfaces", problems);
  }
  const nodeIndex = new Map(nodes.map((n, i) => [n.name, i]));
  const isNode = (at: string, name: string) => {
    if (nodeIndex.has(name)) return true;
    problems.push(`${at} "${name}" is not a declared node`);
    return false;
  };
  /** A node's name used as an interface's name: checked once per node. */
  const nodeNamesInterface = new Set<string>();
  const nodeAsInterface = (node: string, why: string) => {
    if (nodeNamesInterface.has(node)) return;
    nodeNamesInterface.add(node);
    interfaceNamed(`nodes[${nodeIndex.get(node)}].name`, node, why, problems);
  };

  /** A member of `known` named in a map of the declaration at `at`; a problem when it is none. */
  const isMember = (at: string, name: string, known: string[]) => {
    if (known.includes(name)) return true;
    problems.push(`${at} names "${name}", which is not a member`);
    return false;
  };
  /** An address number declared on a network: a whole number from 1. */
  const isNumber = (at: string, number: unknown) => {
    if (Number.isInteger(number) && (number as number) >= 1) return true;
    problems.push(`${at} ${JSON.stringify(number)} must be a whole number from 1`);
    return false;
  };
  const numbers = new Map<string, number>();
  nodes.forEach((node, i) => {
    const number = node.number ?? i + 1;
    if (!Number.isInteger(number) || number < 1) {
      problems.push(`nodes[${i}].number ${number} must be a whole number from 1`);
    }
    numbers.set(node.name, number);
  });

  const networks: Network[] = [];
  segments.forEach((segment, i) => {
    const at = `segments[${i}]`;
    const members = segment.members ?? [];
    if (members.length === 0) problems.push(`${at}.members: a segment needs at least one member`);
    members.forEach((m, j) => {
      if (members.indexOf(m) !== j) problems.push(`${at}.members[${j}] "${m}" is a member already`);
    });
    const known = members.filter((m, j) => isNode(`${at}.members[${j}]`, m) && members.indexOf(m) === j);
    // Each member's port, in the segment's namespace, is named after the member.
    for (const m of known) nodeAsInterface(m, `it names its port on ${at}`);
    for (const [m, device] of Object.entries(segment.devices ?? {})) {
      if (isMember(`${at}.devices`, m, known)) interfaceNamed(`${at}.devices.${m}`, device, "", problems);
    }
    const devices = new Map(known.map((m) => [m, segment.devices?.[m] ?? segment.name]));
    const declaredNumbers = new Map<string, number>();
    for (const [m, number] of Object.entries(segment.numbers ?? {})) {
      if (isMember(`${at}.numbers`, m, known) && isNumber(`${at}.numbers.${m}`, number)) declaredNumbers.set(m, number);
    }
    networks.push({
      id: segment.name,
      at,
      segment: true,
      members: known,
      devices,
      declared: segment,
      subnets: {},
      numbers: new Map(known.map((m) => [m, declaredNumbers.get(m) ?? (numbers.get(m) as number)])),
    });
  });
  /** How many links joined each two nodes so far: the second and later are told apart by their count. */
  const parallel = new Map<string, number>();
  links.forEach((link, i) => {
    const at = `links[${i}]`;
    const [a, b] = link.between ?? [];
    if (a === undefined || b === undefined || link.between.length !== 2) {
      problems.push(`${at}.between must name exactly two nodes`);
      return;
    }
    const known = [isNode(`${at}.between[0]`, a), isNode(`${at}.between[1]`, b)].every(Boolean);
    if (a === b) problems.push(`${at}.between joins "${a}" to itself`);
    if (!known || a === b) return;
    const pair = [a, b].sort().join("\u0000");
    const count = (parallel.get(pair) ?? 0) + 1;
    parallel.set(pair, count);
    const nth = count === 1 ? "" : `-${count}`;
    const devices = new Map<string, string>();
    if (link.devices === undefined && count === 1) {
      nodeAsInterface(b, `it names the interface at the far end of ${at}`);
      nodeAsInterface(a, `it names the interface at the far end of ${at}`);
      devices.set(a, b).set(b, a);
    } else if (link.devices === undefined) {
      const why = `named after the node at the far end and the link's count between the two; or give ${at}.devices`;
      interfaceNamed(`${at}: the interface`, `${b}${nth}`, why, problems);
      interfaceNamed(`${at}: the interface`, `${a}${nth}`, why, problems);
      devices.set(a, `${b}${nth}`).set(b, `${a}${nth}`);
    } else {
      for (const [j, device] of link.devices.entries()) interfaceNamed(`${at}.devices[${j}]`, device, "", problems);
      devices.set(a, link.devices[0]).set(b, link.devices[1]);
    }
    const declared = link.numbers;
    const pairOfNumbers = Array.isArray(declared) && declared.length === 2;
    if (declared !== undefined && !pairOfNumbers) {
      problems.push(`${at}.numbers must be two address numbers, in the order of between`);
    }
    const given = pairOfNumbers && declared.map((n, j) => isNumber(`${at}.numbers[${j}]`, n)).every(Boolean);
    if (link.shaping !== undefined) checkShaping(`${at}.shaping`, link.shaping, problems);
    const [na, nb] = given ? declared : [numbers.get(a), numbers.get(b)];
    networks.push({
      id: `${a}--${b}${nth}`,
      key: `${a}-${b}${nth}`,
      at,
      segment: false,
      members: [a, b],
      devices,
      declared: link,
      subnets: {},
      numbers: new Map([
        [a, na as number],
        [b, nb as number],
      ]),
    });
  });
  checkNames(networks, problems);
  checkDevices(nodes, networks, problems);

  // Declared subnets first: they are where they are; the pools fill in around them.
  for (const network of networks) {
    for (const [family, property] of [
      [4, "subnet"],
      [6, "subnet6"],
    ] as const) {
      const text = network.declared[property];
      if (text === undefined) continue;
      const subnet = declaredNetwork(`${network.at}.${property}`, text, family, problems);
      if (subnet !== undefined) network.subnets[family] = subnet;
    }
  }
  for (const family of [4, 6] as const) {
    const pool = spec.pools?.[family === 4 ? "ipv4" : "ipv6"];
    allocate(family, pool, networks, problems, spec.pools?.pointToPoint === true);
  }
  const pooled = spec.pools?.ipv4 !== undefined || spec.pools?.ipv6 !== undefined;
  for (const network of networks) {
    // With a pool, a network left without a subnet is the pool's problem, named already.
    if (!pooled && network.subnets[4] === undefined && network.subnets[6] === undefined) {
      problems.push(`${network.at} has no subnet: declare one, or give pools.ipv4 or pools.ipv6`);
    }
  }
  checkOverlaps(networks, problems);
  checkNumbers(networks, problems);
  if (problems.length > 0) throw topologyError(problems);

  const machines = new Machines(spec, problems);
  const machineOf = new Map(nodes.map((node, i) => [node.name, machines.of(`nodes[${i}].machine`, node.machine)]));
  const segmentMachine = new Map(
    segments.map((segment, i) => [
      segment.name,
      segment.machine === undefined
        ? machineOf.get(segment.members?.[0] ?? "")
        : machines.of(`segments[${i}].machine`, segment.machine),
    ]),
  );
  const planned: PlannedNode[] = planNodes(nodes, networks, netnsOf, problems).map((node, i) => {
    const machine = machineOf.get(node.name);
    const exec = nodes[i]?.exec;
    return { ...node, ...(machine === undefined ? {} : { machine }), ...(exec === undefined ? {} : { exec }) };
  });
  const checks = planChecks(spec.checks, planned, problems);
  const hosts = spec.hosts === true ? planHosts(planned, problems) : [];
  if (problems.length > 0) throw topologyError(problems);
  const vnis = new Vnis(prefix);
  return {
    nodes: planned,
    checks,
    hosts,
    segments: networks
      .filter((n) => n.segment)
      .map((n) => {
        const machine = segmentMachine.get(n.id);
        const members = n.members.map((node) => ({
          node,
          device: n.devices.get(node) as string,
          port: node,
          tunnel: machines.tunnel(vnis.next(`${n.id}/${node}`), machineOf.get(node), machine),
        }));
        const mtu = machines.mtu(members.flatMap((m) => m.tunnel ?? []));
        return {
          name: n.id,
          ...(machine === undefined ? {} : { machine }),
          netns: `${prefix}${n.id}`,
          bridge: n.id,
          subnets: subnetsOf(n),
          members: members.map(({ tunnel, ...m }) => (tunnel === undefined ? m : { ...m, tunnel })),
          ...(mtu === undefined ? {} : { mtu }),
        };
      }),
    links: networks
      .filter((n) => !n.segment)
      .map((n) => {
        const [a, b] = n.members as [string, string];
        const ends: PlannedLink["ends"] = [
          { node: a, device: n.devices.get(a) as string },
          { node: b, device: n.devices.get(b) as string },
        ];
        const tunnel = machines.tunnel(vnis.next(n.id), machineOf.get(a), machineOf.get(b));
        const shaping = shapingOfEnds((n.declared as TopologyLink).shaping);
        const link = {
          network: n.id,
          key: n.key as string,
          subnets: subnetsOf(n),
          ends,
          ...(shaping ? { shaping } : {}),
        };
        return tunnel === undefined ? link : { ...link, tunnel, mtu: machines.mtu(tunnel) };
      }),
  };
}

/** A node's startup commands: a list of argv lists, in a namespace of its own (NetnsExec checks the rest). */
function checkExec(at: string, node: TopologyNode, problems: string[]): void {
  const commands = node.exec as unknown;
  const isArgv = (c: unknown) => Array.isArray(c) && c.length > 0 && c.every((w) => typeof w === "string");
  if (!Array.isArray(commands) || !commands.every(isArgv)) {
    problems.push(`${at} must be a list of commands, each the program and its arguments as a list of strings`);
  } else if (node.root === true) {
    problems.push(`${at}: a node that is the root namespace runs no commands (what they did would outlive the lab)`);
  }
}

/** Each end's shaping, in the order of `between`: one for both, or one each; undefined for a link not shaped. */
function shapingOfEnds(shaping: TopologyLink["shaping"]): [LinkShaping | null, LinkShaping | null] | undefined {
  if (shaping === undefined) return undefined;
  return Array.isArray(shaping) ? [shaping[0] ?? null, shaping[1] ?? null] : [shaping, shaping];
}

/** A link's shaping: each end's parameters by tc's rules, and each end's as a whole. */
function checkShaping(at: string, shaping: NonNullable<TopologyLink["shaping"]>, problems: string[]): void {
  const ends = Array.isArray(shaping)
    ? shaping.map((end, j) => [`${at}[${j}]`, end] as const)
    : [[at, shaping] as const];
  if (Array.isArray(shaping) && shaping.length !== 2) {
    problems.push(`${at} must be one shaping for both ends, or two, one per end in the order of between`);
    return;
  }
  for (const [where, end] of ends) {
    if (end === null) continue;
    if (typeof end !== "object") {
      problems.push(`${where} must be a shaping: { rate, delay, jitter, loss, duplicate, corrupt, burst, latency }`);
      continue;
    }
    for (const key of Object.keys(end)) {
      const rule = SHAPING_RULES[key as keyof typeof SHAPING_RULES];
      const value = end[key as keyof LinkShaping];
      if (rule === undefined) problems.push(`${where}.${key} is no shaping parameter`);
      else if (value !== undefined) {
        const checked = typeof value === "string" ? rule(value) : { problem: "must be a string" };
        if (isProblem(checked)) problems.push(`${where}.${key} ${JSON.stringify(value)} ${checked.problem}`);
      }
    }
    for (const { property, reason } of shapingProblems(end)) problems.push(`${where}.${property} ${reason}`);
  }
}
