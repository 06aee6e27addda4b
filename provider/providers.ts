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

type Provider<K extends ResourceKind> = InstanceType<(typeof kinds)[K]>;
const methods = ["check", "diff", "create", "read", "update", "delete"] as const;

/** The provider for `kind`, running `ip` through `runner` (by default the real one). */
export function providerFor<K extends ResourceKind>(kind: K, runner: Runner = systemRunner()): Provider<K> {
  const Kind = kinds[kind];
  if (Kind === undefined) throw new Error(`pulumi-netns: unknown resource kind "${kind}"`);
  const provider = new Kind(runner);
  // Pulumi's wire format (a protobuf Struct) has no `undefined`: a property that is absent (the
  // root namespace, an undeclared MTU) must be left out, not set to undefined, or the call fails
  // with "Unexpected struct type". Cleaned here once for every kind and method.
  const wire = Object.create(provider) as Record<string, unknown>;
  for (const method of methods) {
    const call = (provider[method] as (...args: unknown[]) => Promise<unknown>).bind(provider);
    wire[method] = async (...args: unknown[]) => withoutUndefined(await call(...args));
  }
  return wire as unknown as Provider<K>;
}

/** A copy of plain data with every `undefined` property left out, at any depth. */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  ) as T;
}
