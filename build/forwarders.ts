/**
 * Part of `npm run build`: writes each kind's forwarder module, `forwarders/<file>.js` beside
 * program/forwarder.js, from the registry (src/kinds.ts). Each module's whole exports is its
 * kind's forwarder, which is what lets Pulumi store it as `require("pulumi-netns/forwarders/<file>")`
 * (see program/forwarder.ts); a file per kind, written here, keeps the registry the only list.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { kinds } from "../src/kinds.js";

const dir = path.join(__dirname, "../src/program/forwarders");
mkdirSync(dir, { recursive: true });
for (const [kind, file] of Object.entries(kinds)) {
  const text = [
    `// Written by the build from src/kinds.ts (build/forwarders.ts): the serialized provider of ${kind}`,
    "// resources, this module's whole exports.",
    '"use strict";',
    `module.exports = require("../forwarder.js").makeForwarder(${JSON.stringify(kind)});`,
    "",
  ].join("\n");
  writeFileSync(path.join(dir, `${file}.js`), text);
}
