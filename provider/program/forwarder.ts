/**
 * The provider object each resource hands to Pulumi. Pulumi serializes it to text into the stack's
 * state, and later operations (even `read` and `delete` long after an upgrade) run that text. So
 * it stays a few stable lines that import the implementation installed *now*, by package name
 * (`pulumi-netns/providers`), and call it. It captures nothing but the kind's name: no zod, no
 * execa, no module state.
 *
 * Each kind's forwarder is the whole `module.exports` of a module of its own,
 * `dist/provider/forwarders/<file>.js`, which the build writes from the registry (build/forwarders.ts
 * says why there). Pulumi's serializer writes such an object, when it comes from a package in
 * node_modules, as one `require("pulumi-netns/forwarders/<file>")` instead of its code: about 260
 * bytes in the state of every resource instead of 2 KB, twice over (inputs and outputs). Inside
 * this repository the module is local and is serialized by value.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DynamicProvider } from "../kinds/index.js";
import { type Kind, kinds } from "../registry.js";

/** The forwarder of `kind`: the exports of its module, one object shared by all its resources. */
export function forwarder(kind: Kind): pulumi.dynamic.ResourceProvider {
  return require(`../forwarders/${kinds[kind]}.js`);
}

/** A forwarder for `kind`; each module in forwarders/ exports one. */
export function makeForwarder(kind: Kind): pulumi.dynamic.ResourceProvider {
  const load = async (): Promise<DynamicProvider> => {
    // A variable specifier keeps TypeScript from resolving the package's own build output.
    const specifier = "pulumi-netns/providers";
    const providers: typeof import("../kinds/index.js") = await import(specifier);
    return providers.providerFor(kind);
  };
  return {
    check: async (olds, news) => (await load()).check(olds, news),
    diff: async (id, olds, news) => (await load()).diff(id, olds, news),
    create: async (inputs) => (await load()).create(inputs),
    read: async (id, props) => (await load()).read(id, props),
    update: async (id, olds, news) => (await load()).update(id, olds, news),
    delete: async (id, props) => (await load()).delete(id, props),
  };
}
