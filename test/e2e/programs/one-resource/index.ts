/**
 * A test program holding one resource, of the kind and with the arguments the config `case` names
 * (JSON: { kind, args }), for the hostile-input tests. Any kind of the registry: each is exported
 * by the package under its own name.
 */
import * as pulumi from "@pulumi/pulumi";
import * as library from "../../../../provider/index.js";
import type { Kind } from "../../../../provider/registry.js";

const { kind, args } = JSON.parse(new pulumi.Config().require("case")) as { kind: Kind; args: never };
const resources: Record<Kind, new (name: string, args: never) => unknown> = library;
new resources[kind]("bad", args);
