/**
 * The implementations behind the serialized forwarders (see dynamic.ts), by resource kind. Exported
 * as `pulumi-netns/providers` so the provider process finds the installed code by package name.
 */
import { NetNamespaceProvider } from "./resources/net-namespace.js";
import { type Runner, systemRunner } from "./runner.js";

const kinds = {
  NetNamespace: NetNamespaceProvider,
};

export type ResourceKind = keyof typeof kinds;

/** The provider for `kind`, running `ip` through `runner` (by default the real one). */
export function providerFor(kind: ResourceKind, runner: Runner = systemRunner()) {
  const Provider = kinds[kind];
  if (Provider === undefined) throw new Error(`pulumi-netns: unknown resource kind "${kind}"`);
  return new Provider(runner);
}
