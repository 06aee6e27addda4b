// The package's public exports: what a user's Pulumi program imports (the program half), and the
// error types a failure carries.

export type { HostInput, HostParts } from "./commands/host.js";
export type { HostsEntry } from "./commands/netns-files.js";
export { IpCommandError, type IpFailureReason, isIpError } from "./errors.js";
export { Bridge, type BridgeArgs } from "./program/bridge.js";
export {
  type BuiltSpoke,
  StarLab,
  type StarLabArgs,
  type StarSpoke,
  starMermaid,
} from "./program/components/star-lab.js";
export {
  type ContainerlabLab,
  type ContainerlabOptions,
  fromContainerlab,
} from "./program/components/topology/containerlab.js";
export { topologyDot, topologyMermaid } from "./program/components/topology/picture.js";
export { planTopology } from "./program/components/topology/plan.js";
export { type TopologyCommands, topologyCommands, topologyScript } from "./program/components/topology/script.js";
export type {
  LinkShaping,
  PlannedCheck,
  PlannedInterface,
  PlannedLink,
  PlannedNode,
  PlannedRoute,
  PlannedSegment,
  PlannedTunnel,
  TopologyLink,
  TopologyMachine,
  TopologyNode,
  TopologyPlan,
  TopologyRoute,
  TopologySegment,
  TopologySpec,
} from "./program/components/topology/spec.js";
export { type CheckResult, Topology, type TopologyArgs } from "./program/components/topology/topology.js";
export { HostsFile, type HostsFileArgs } from "./program/hosts-file.js";
export { IpAddress, type IpAddressArgs } from "./program/ip-address.js";
export { MacVlan, type MacVlanArgs } from "./program/mac-vlan.js";
export { Nat, type NatArgs } from "./program/nat.js";
export { NetNamespace, type NetNamespaceArgs } from "./program/net-namespace.js";
export { type ConfigRoute, NetnsConfig, type NetnsConfigArgs } from "./program/netns-config.js";
export { NetnsExec, type NetnsExecArgs } from "./program/netns-exec.js";
export { NetnsProcess, type NetnsProcessArgs } from "./program/netns-process.js";
export { Qdisc, type QdiscArgs } from "./program/qdisc.js";
export { Reachability, type ReachabilityArgs } from "./program/reachability.js";
export { ReachabilitySet, type ReachabilitySetArgs } from "./program/reachability-set.js";
export { ResolvConf, type ResolvConfArgs } from "./program/resolv-conf.js";
export type { OnHost } from "./program/resource.js";
export { Route, type RouteArgs } from "./program/route.js";
export { Sysctl, type SysctlArgs } from "./program/sysctl.js";
export { VethPair, type VethPairArgs } from "./program/veth-pair.js";
export { Vxlan, type VxlanArgs } from "./program/vxlan.js";
