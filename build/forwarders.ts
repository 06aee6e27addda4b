/**
 * Part of `npm run build`: writes each kind's forwarder module, `dist/provider/forwarders/<file>.js`,
 * from the registry (provider/registry.ts). Each module's whole exports is its kind's forwarder, which is
 * what lets Pulumi store it as `require("pulumi-netns/forwarders/<file>")` (see
 * provider/program/forwarder.ts); a file per kind, written here, keeps the registry the only list.
 *
 * The folder is where release 0.1.0 had them, and it never moves: where a user's project lies
 * under a path that contains "pulumi-netns", Pulumi's serializer misses the package's root (it
 * looks for the first occurrence of the name in the absolute path) and stores the file's own path,
 * `require("pulumi-netns/dist/provider/forwarders/<file>.js")`, which the package exports too.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { kinds } from "../provider/registry.js";

const dir = path.join(__dirname, "../provider/forwarders");
mkdirSync(dir, { recursive: true });
for (const [kind, file] of Object.entries(kinds)) {
  const text = [
    `// Written by the build from provider/registry.ts (build/forwarders.ts): the serialized provider of ${kind}`,
    "// resources, this module's whole exports.",
    '"use strict";',
    `module.exports = require("../program/forwarder.js").makeForwarder(${JSON.stringify(kind)});`,
    "",
  ].join("\n");
  writeFileSync(path.join(dir, `${file}.js`), text);
}
