export { type BuiltSpoke, StarLab, type StarLabArgs, type StarSpoke, starMermaid } from "./components/star-lab.js";
export { IpCommandError, type IpFailureReason, isIpError } from "./errors.js";
export { IpAddress, type IpAddressArgs } from "./resources/ip-address.js";
export { NetNamespace, type NetNamespaceArgs } from "./resources/net-namespace.js";
export { Route, type RouteArgs } from "./resources/route.js";
export { Sysctl, type SysctlArgs } from "./resources/sysctl.js";
export { VethPair, type VethPairArgs } from "./resources/veth-pair.js";
