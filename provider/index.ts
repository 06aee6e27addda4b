export { IpCommandError, type IpFailureReason, isIpError } from "./errors.js";
export { NetNamespace, type NetNamespaceArgs } from "./resources/net-namespace.js";
