/**
 * The implementations behind the serialized forwarders (see dynamic.ts), by resource kind. Exported
 * as `pulumi-netns/providers` so the provider process finds the installed code by package name.
 */
import { IpAddressProvider } from "./resources/ip-address.js";
import { NetNamespaceProvider } from "./resources/net-namespace.js";
import { RouteProvider } from "./resources/route.js";
import { SysctlProvider } from "./resources/sysctl.js";
import { VethPairProvider } from "./resources/veth-pair.js";
import { type Runner, systemRunner } from "./runner.js";

const kinds = {
  NetNamespace: NetNamespaceProvider,
  VethPair: VethPairProvider,
  IpAddress: IpAddressProvider,
  Route: RouteProvider,
  Sysctl: SysctlProvider,
};

export type ResourceKind = keyof typeof kinds;

/** The provider for `kind`, running `ip` through `runner` (by default the real one). */
export function providerFor(kind: ResourceKind, runner: Runner = systemRunner()) {
  const Provider = kinds[kind];
  if (Provider === undefined) throw new Error(`pulumi-netns: unknown resource kind "${kind}"`);
  return new Provider(runner);
}
