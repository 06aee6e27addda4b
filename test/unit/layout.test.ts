/**
 * The shape every kind copies (CONTRIBUTING.md), held against the code: the program half imports
 * only types from the provider half, no module of src/ imports itself round a circle, and every
 * kind of the registry has its two halves, its export and its forwarder.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import * as library from "../../src/index.js";
import { kindNames, kinds } from "../../src/kinds.js";
import { providerClass } from "../../src/provider/index.js";

const repoRoot = path.resolve(__dirname, "../../..");
const src = path.join(repoRoot, "src");

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Every static import and re-export between the TypeScript files of src/. */
function imports(): Import[] {
  const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  return files.flatMap((file) => {
    const text = readFileSync(path.join(src, file), "utf8");
    const found = [...text.matchAll(/^(import|export)(\s+type)?\s[^;]*?from\s+"(\.[^"]+)\.js";/gms)];
    return found.map(([, , type, target]) => ({
      from: file,
      to: path.join(path.dirname(file), `${target}.ts`),
      typeOnly: type !== undefined,
    }));
  });
}

describe("the layout", () => {
  const all = imports();

  it("reads the imports of src/", () => assert.ok(all.length > 40, `${all.length} imports`));

  it("has the program half import only types from the provider half", () => {
    const values = all.filter((i) => i.from.startsWith("program/") && i.to.startsWith("provider/") && !i.typeOnly);
    assert.deepEqual(values, []);
  });

  it("has no import cycle in src/", () => {
    const edges = new Map<string, string[]>();
    for (const { from, to } of all) edges.set(from, [...(edges.get(from) ?? []), to]);
    const done = new Set<string>();
    const visit = (file: string, trail: string[]): void => {
      if (trail.includes(file))
        assert.fail(`import cycle: ${[...trail.slice(trail.indexOf(file)), file].join(" -> ")}`);
      if (done.has(file)) return;
      for (const next of edges.get(file) ?? []) visit(next, [...trail, file]);
      done.add(file);
    };
    for (const file of edges.keys()) visit(file, []);
  });
});

describe("every kind of the registry", () => {
  for (const kind of kindNames) {
    const file = kinds[kind];
    it(`${kind}: has both halves, is exported under its name, and has a provider and a forwarder`, () => {
      for (const half of ["program", "provider"])
        assert.ok(existsSync(path.join(src, half, `${file}.ts`)), `${half}/${file}.ts`);
      assert.equal(typeof (library as Record<string, unknown>)[kind], "function", `pulumi-netns exports ${kind}`);
      const methods = ["check", "diff", "create", "read", "update", "delete"];
      for (const method of methods) assert.equal(typeof providerClass(kind).prototype[method], "function", method);
      // Both ways the state of a stack names it, resolved through the package's own exports.
      for (const specifier of [`pulumi-netns/forwarders/${file}`, `pulumi-netns/dist/provider/forwarders/${file}.js`]) {
        const forwarder = require(specifier) as Record<string, unknown>;
        for (const method of methods) assert.equal(typeof forwarder[method], "function", `${specifier}: ${method}`);
      }
    });
  }
});
