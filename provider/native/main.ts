/**
 * The entry of the `netns` provider plugin: what plugin/pulumi-resource-netns starts with node
 * when the engine needs the package. It serves every kind
 * (provider.ts) with the schema the build wrote beside it (build/schema.ts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { main } from "@pulumi/pulumi/provider";
import { frontDoor } from "../registry.js";
import { nativeProvider } from "./provider.js";

// Before any component is built here: their children are the package's own resources.
frontDoor.native = true;

// dist/provider/native/ → the package's root, whose version the plugin has.
const root = path.resolve(__dirname, "../../..");
const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
const schema = readFileSync(path.join(root, "plugin/schema.json"), "utf8");

readsWithoutState();

main(nativeProvider(version, schema), process.argv.slice(2)).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/**
 * The Node.js provider server of @pulumi/pulumi 3.248 reads `req.getProperties().toJavaScript()`
 * in `read`, but an import's read has no properties at all (the state is empty), so every
 * `pulumi import` failed with "Cannot read properties of undefined (reading 'toJavaScript')". An
 * absent state is read as an empty one, which is what it means.
 */
function readsWithoutState(): void {
  const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  const { ReadRequest } = require(`${sdk}/proto/provider_pb`) as {
    ReadRequest: { prototype: { getProperties(): unknown } };
  };
  const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdk] })) as {
    Struct: new () => unknown;
  };
  const given = ReadRequest.prototype.getProperties;
  ReadRequest.prototype.getProperties = function (this: unknown) {
    return given.call(this) ?? new Struct();
  };
}
