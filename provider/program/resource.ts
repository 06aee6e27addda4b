/**
 * What every kind's resource class shares, in the user's program: its forwarder, its type token
 * and the `owner` input that marks what it makes (see records/ownership.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { HostInput } from "../commands/host.js";
import { frontDoor, type Kind, packageToken, TOKEN_MODULE } from "../registry.js";
import { forwarder } from "./forwarder.js";

/**
 * The inputs a resource hands its provider: a value (or undefined, for an output the provider
 * fills in) for every property of the kind's state, so that the two halves agree on the names.
 * The values are checked by the provider's `check`; `owner` is added by {@link NetnsResource},
 * and `host` ({@link OnHost}) is checked for every kind by kinds/index.ts.
 */
export type Wire<State> = { [K in Exclude<keyof State, "owner" | "host">]-?: unknown } & { host: unknown };

/** What every kind's arguments (and every component's) share: the host the resource lives on. */
export interface OnHost {
  /**
   * The machine the resource lives on, reached with `ssh`: a destination as `ssh` takes it (a
   * `Host` alias of ~/.ssh/config, `user@name`, an address), or `{ address, user, port,
   * identityFile, configFile }`. Everything of the resource (its `ip` commands, its files, its
   * records) is on that host. Only the key file's path is stored in the state, never a key.
   * Changing it replaces the resource.
   * @default this machine
   */
  host?: pulumi.Input<HostInput> | undefined;
}

/**
 * What a kind's resource registers in the package's provider process, where the components are
 * built (`construct`): the package's own custom resource, `netns:index:<Kind>`, served by that same
 * provider. Its `owner` comes from its URN there (native/provider.ts), so it is not sent.
 */
class PackageResource extends pulumi.CustomResource {
  constructor(
    _forwarder: unknown,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
    _module: string,
    kind: Kind,
  ) {
    const { owner: _, ...inputs } = props;
    super(packageToken(kind), name, inputs, opts);
  }
}

/** The base of every kind's resource class: a dynamic resource, or in the package's provider process the package's own. */
const KindResource = (frontDoor.native ? PackageResource : pulumi.dynamic.Resource) as typeof pulumi.dynamic.Resource;

/**
 * A resource of one of the registry (registry.ts).
 *
 * Registering it, `@pulumi/pulumi` records a stack trace for every internal promise it makes (for
 * its report of promises left unresolved at exit), each formatted through source maps: most of a
 * registration's CPU. Those stacks are left out while the SDK registers ours. What users see stays
 * the same: the SDK takes the resource's source position (which the engine shows with its
 * errors) with a limit of its own, and an error thrown here gets its stack back.
 */
export abstract class NetnsResource extends KindResource {
  constructor(kind: Kind, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions | undefined) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      // A look-up by id (.get()) has no owner and no values: it reads the object, and takes
      // nothing. Its properties are named all the same: the SDK makes an output of each one named.
      const inputs =
        opts?.id === undefined
          ? { ...props, owner: ownerOf(name) }
          : Object.fromEntries(Object.keys(props).map((key) => [key, undefined]));
      super(forwarder(kind), name, inputs, opts, TOKEN_MODULE, kind);
    } catch (e) {
      Error.stackTraceLimit = limit;
      if (e instanceof Error) Error.captureStackTrace(e, NetnsResource);
      throw e;
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  /**
   * The object `id` names on the machine, read into the stack and never changed by it: a
   * `NetNamespace` by name, a `VethPair` by one end (`[NETNS/]NAME`), a `Bridge` as
   * `[NETNS/]NAME`, an `IpAddress` as `[NETNS/]DEVICE/ADDRESS/PREFIX`, a `Route` as
   * `[NETNS/]DESTINATION`, a `Sysctl` as `[NETNS/]KEY` (the ids `pulumi import` takes). Unlike an
   * import, it takes no ownership: no mark is put on it, and destroy leaves it.
   */
  static get<T>(
    this: new (
      name: string,
      args: never,
      opts?: pulumi.CustomResourceOptions,
    ) => T,
    name: string,
    id: pulumi.Input<string>,
    opts?: pulumi.CustomResourceOptions,
  ): T {
    return new this(name, {} as never, { ...opts, id });
  }
}

/**
 * Who makes the resource: project, stack and the resource's name. Project and stack names cannot
 * hold `:`, so the stack part ends at the first.
 */
export function ownerOf(name: string): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}:${name}`;
}
