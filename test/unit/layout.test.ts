/**
 * The rooms of provider/ and the shape every kind copies (CONTRIBUTING.md), held against the code.
 *
 * - `commands/` is pure: it builds and parses the commands of `ip`, `nft`, ssh and /proc, and
 *   imports nothing that touches the machine.
 * - `machine/` is the one seam that touches a machine; it never imports a kind or a record.
 * - `records/` is what the library writes on a machine about what it made; it imports no kind.
 * - `kinds/` holds each kind's provider half and the bases they share.
 * - `program/` is what a user's program constructs; it reaches kinds, records and the machine by
 *   types only (their code runs in the provider process, never in the program).
 * - `cli/` are the command-line tools; `native/` is the Pulumi package's provider (the second
 *   front door to the kinds); the files at the top are shared by all.
 *
 * No module imports itself round a circle, and every kind of the registry has its two halves, its
 * export and its forwarder.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import * as library from "../../provider/index.js";
import { providerClass } from "../../provider/kinds/index.js";
import { kindNames, kinds } from "../../provider/registry.js";

const repoRoot = path.resolve(__dirname, "../../..");
const source = path.join(repoRoot, "provider");

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Every static import and re-export between the TypeScript files of provider/, and every `import type("…")`. */
function imports(): Import[] {
  const files = readdirSync(source, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  return files.flatMap((file) => {
    const text = readFileSync(path.join(source, file), "utf8");
    const statements = [...text.matchAll(/^(import|export)(\s+type)?\s[^;]*?from\s+"(\.[^"]+)\.js";/gms)];
    const inline = [...text.matchAll(/typeof import\("(\.[^"]+)\.js"\)/g)];
    const to = (target: string) => path.join(path.dirname(file), `${target}.ts`);
    return [
      ...statements.map(([, , type, target]) => ({
        from: file,
        to: to(target as string),
        typeOnly: type !== undefined,
      })),
      ...inline.map(([, target]) => ({ from: file, to: to(target as string), typeOnly: true })),
    ];
  });
}

/** The room of a file of provider/: its first folder, or "top" for the files at the top. */
function room(file: string): string {
  return file.includes(path.sep) ? (file.split(path.sep)[0] as string) : "top";
}

/** Which rooms each room may import code from (types from anywhere below `program` are allowed too). */
const mayImport: Record<string, readonly string[]> = {
  top: ["top", "commands", "program"],
  commands: ["top", "commands"],
  machine: ["top", "commands", "machine"],
  records: ["top", "commands", "machine", "records"],
  kinds: ["top", "commands", "machine", "records", "kinds"],
  program: ["top", "commands", "program"],
  cli: ["top", "commands", "machine", "records", "kinds", "cli"],
  native: ["top", "kinds", "program", "native"],
};

/** Rooms whose types (never code) the program may name: the states the provider process returns. */
const typesForProgram = ["kinds", "machine", "records"];

describe("the layout", () => {
  const all = imports();

  it("reads the imports of provider/", () => assert.ok(all.length > 100, `${all.length} imports`));

  it("has provider/ in the rooms it names, and nothing else", () => {
    const rooms = readdirSync(source, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    assert.deepEqual(
      rooms.sort(),
      Object.keys(mayImport)
        .filter((r) => r !== "top")
        .sort(),
    );
  });

  it("keeps each room to the rooms below it", () => {
    const wrong = all.filter(({ from, to, typeOnly }) => {
      const allowed = mayImport[room(from)] ?? [];
      if (allowed.includes(room(to))) return false;
      return !(typeOnly && room(from) === "program" && typesForProgram.includes(room(to)));
    });
    assert.deepEqual(
      wrong.map((i) => `${i.from} -> ${i.to}`),
      [],
    );
  });

  it("has the machine import no kind and no record", () => {
    const wrong = all.filter((i) => room(i.from) === "machine" && ["kinds", "records"].includes(room(i.to)));
    assert.deepEqual(wrong, []);
  });

  it("has the program half import only types from the provider half", () => {
    const values = all.filter((i) => room(i.from) === "program" && typesForProgram.includes(room(i.to)) && !i.typeOnly);
    assert.deepEqual(values, []);
  });

  it("keeps commands/ pure: no file, process or network module", () => {
    const files = readdirSync(path.join(source, "commands")).filter((f) => f.endsWith(".ts"));
    for (const file of files) {
      const text = readFileSync(path.join(source, "commands", file), "utf8");
      assert.doesNotMatch(text, /["']node:(fs|child_process|net|dgram)|["']execa["']/, `commands/${file}`);
    }
  });

  it("has a unit test for every module of commands/", () => {
    const files = readdirSync(path.join(source, "commands")).filter((f) => f.endsWith(".ts"));
    for (const file of files) {
      const test = path.join(repoRoot, "test/unit/commands", file.replace(/\.ts$/, ".test.ts"));
      assert.ok(existsSync(test), `test/unit/commands/${path.basename(test)}`);
    }
  });

  it("has no import cycle in provider/", () => {
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
      for (const half of ["program", "kinds"])
        assert.ok(existsSync(path.join(source, half, `${file}.ts`)), `${half}/${file}.ts`);
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
