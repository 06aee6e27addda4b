/**
 * Every kind of resource this library has, declared once. Every other list of kinds is derived
 * from this one: the provider process's implementations (kinds/index.ts), the forwarder
 * modules the build writes (build/forwarders.ts), the package's exports (one wildcard) and the
 * tests' tables.
 *
 * The key is the kind's name: its resource class, and the last part of its type token,
 * `pulumi-nodejs:dynamic/netns:<Kind>`. The value is the file name of its two halves,
 * `program/<file>.ts` (what runs in the user's program) and `kinds/<file>.ts` (what runs in the
 * provider process), and of its forwarder, `pulumi-netns/forwarders/<file>` (or
 * `pulumi-netns/dist/provider/forwarders/<file>.js`), which the state of every stack names: a file
 * name, once released, never changes.
 *
 * How to add a kind: CONTRIBUTING.md.
 */
export const kinds = {
  NetNamespace: "net-namespace",
  VethPair: "veth-pair",
  IpAddress: "ip-address",
  Route: "route",
  Sysctl: "sysctl",
  Bridge: "bridge",
  MacVlan: "mac-vlan",
  Vxlan: "vxlan",
  Reachability: "reachability",
  NetnsProcess: "netns-process",
  HostsFile: "hosts-file",
  ResolvConf: "resolv-conf",
  Nat: "nat",
  NetnsConfig: "netns-config",
  ReachabilitySet: "reachability-set",
  NetnsExec: "netns-exec",
  Qdisc: "qdisc",
} as const;

export type Kind = keyof typeof kinds;

/** The module part of every kind's type token (`pulumi-nodejs:dynamic/<module>:<Kind>`). */
export const TOKEN_MODULE = "netns";

/** Every kind's name, in the registry's order. */
export const kindNames = Object.keys(kinds) as Kind[];

/** The type token Pulumi gives a kind's resources. */
export function typeToken(kind: Kind): string {
  return `pulumi-nodejs:dynamic/${TOKEN_MODULE}:${kind}`;
}

/** The package's name (native/): the first part of every type token of its resources. */
export const PACKAGE = "netns";

/** The components, which the package also serves (built in the provider process: `construct`). */
export const componentNames = ["Topology", "StarLab"] as const;
export type Component = (typeof componentNames)[number];

/** The type token of a kind or a component in the package: `netns:index:<Name>`. */
export function packageToken(name: Kind | Component): string {
  return `${PACKAGE}:index:${name}`;
}

/**
 * Which front door this process serves. In the package's provider process (native/main.ts sets
 * it first), the components it builds register the package's own resources (`netns:index:…`); in
 * a TypeScript program, the dynamic ones. Read once, when program/resource.ts is loaded.
 */
export const frontDoor = { native: false };

/** The type a component registers: the package's in its provider process, else the library's own. */
export function componentType(component: Component): string {
  return frontDoor.native ? packageToken(component) : `pulumi-netns:index:${component}`;
}

/**
 * The kind whose resources have the type token `token`, through either front door (the dynamic
 * resources' `pulumi-nodejs:dynamic/netns:<Kind>`, the package's `netns:index:<Kind>`); undefined
 * for other types. The sweep keeps what the state holds by it: a kind it did not know here would
 * be swept as a leftover.
 */
export function kindOf(token: string | undefined): Kind | undefined {
  return kindNames.find((kind) => typeToken(kind) === token || packageToken(kind) === token);
}
