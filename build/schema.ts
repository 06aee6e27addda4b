/**
 * The `netns` package's schema (plugin/schema.json), written from the code so that it cannot
 * drift from it: `npm run schema` writes it, and a unit test (test/unit/native/schema.test.ts)
 * fails when the file and the code disagree.
 *
 * Where each part comes from:
 * - the inputs, their types, which are required and their defaults: each kind's own zod rules, as
 *   its `check` builds them (kinds/base/inputs.ts hands them over), through zod's JSON Schema;
 * - the outputs: the properties the program half's class declares (`declare readonly`);
 * - every description, and which inputs replace the object when changed ("Changing it replaces"):
 *   the TSDoc of the program half (`<Kind>Args` and the class), read with the TypeScript compiler;
 * - `host`, which every kind takes and kinds/index.ts checks: `OnHost` in program/resource.ts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import type * as zod from "zod";
import { builtRules } from "../provider/kinds/base/inputs.js";
import { providerClass } from "../provider/kinds/index.js";
import { Machine } from "../provider/machine/machine.js";
import {
  type Component,
  componentNames,
  type Kind,
  kindNames,
  kinds,
  PACKAGE,
  packageToken,
} from "../provider/registry.js";

const root = path.resolve(__dirname, "../..");

/** A property of the schema (Pulumi's package schema, a subset of JSON Schema). */
type Property = Record<string, unknown>;

interface Documented {
  description: string;
  /** The property's `@default` text, when it has one. */
  byDefault?: string | undefined;
  optional: boolean;
  /** The declared type, as TypeScript writes it (outputs: what `Output<…>` holds). */
  typeText: string;
}

/** The TSDoc of one program half: the class's, its `Args` members' and its declared outputs'. */
interface HalfDocs {
  kind: string;
  args: Map<string, Documented>;
  outputs: Map<string, Documented>;
}

/** Where each component's class and its `<Name>Args` are. */
const componentFiles: Record<Component, string> = {
  Topology: "provider/program/components/topology/topology.ts",
  StarLab: "provider/program/components/star-lab.ts",
};

/** A component's inputs (from `<Name>Args`, inherited members too) and outputs (its `Output` members). */
interface ComponentDocs {
  description: string;
  inputs: Map<string, Documented & { type: Property }>;
  outputs: Map<string, Documented & { type: Property }>;
}

/** Reads the program halves' TSDoc, every kind's, every component's and `OnHost`'s, with one TypeScript program. */
function readDocs(): { halves: Map<Kind, HalfDocs>; host: Documented; components: Map<Component, ComponentDocs> } {
  const files = [
    ...kindNames.map((kind) => path.join(root, "provider/program", `${kinds[kind]}.ts`)),
    ...Object.values(componentFiles).map((file) => path.join(root, file)),
  ];
  const program = ts.createProgram(files, { strict: true, exactOptionalPropertyTypes: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const docOf = (node: ts.PropertySignature | ts.PropertyDeclaration): Documented => {
    return {
      ...tsdoc(checker, checker.getSymbolAtLocation(node.name)),
      optional: node.questionToken !== undefined,
      typeText: node.type?.getText() ?? "",
    };
  };
  const halves = new Map<Kind, HalfDocs>();
  let host: Documented | undefined;
  for (const kind of kindNames) {
    const source = program.getSourceFile(path.join(root, "provider/program", `${kinds[kind]}.ts`));
    if (source === undefined) throw new Error(`schema: no program half for ${kind}`);
    const half: HalfDocs = { kind: "", args: new Map(), outputs: new Map() };
    ts.forEachChild(source, (node) => {
      if (ts.isInterfaceDeclaration(node) && node.name.text === `${kind}Args`) {
        for (const member of node.members)
          if (ts.isPropertySignature(member)) half.args.set(member.name.getText(), docOf(member));
      }
      if (ts.isClassDeclaration(node) && node.name?.text === kind) {
        half.kind = tsdoc(checker, checker.getSymbolAtLocation(node.name)).description;
        for (const member of node.members) {
          if (
            ts.isPropertyDeclaration(member) &&
            member.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)
          ) {
            half.outputs.set(member.name.getText(), docOf(member));
          }
        }
      }
    });
    halves.set(kind, half);
  }
  const resource = program.getSourceFile(path.join(root, "provider/program/resource.ts"));
  resource?.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === "OnHost") {
      const member = node.members.filter(ts.isPropertySignature).find((m) => m.name.getText() === "host");
      if (member !== undefined) host = docOf(member);
    }
  });
  if (host === undefined) throw new Error("schema: OnHost.host is not in provider/program/resource.ts");
  const components = new Map<Component, ComponentDocs>();
  for (const component of componentNames) {
    const source = program.getSourceFile(path.join(root, componentFiles[component]));
    const docs: ComponentDocs = { description: "", inputs: new Map(), outputs: new Map() };
    source?.forEachChild((node) => {
      if (ts.isInterfaceDeclaration(node) && node.name.text === `${component}Args`) {
        const args = checker.getTypeAtLocation(node);
        for (const symbol of checker.getPropertiesOfType(args)) {
          docs.inputs.set(
            symbol.name,
            memberDocs(checker, symbol, node, checker.getTypeOfSymbolAtLocation(symbol, node)),
          );
        }
      }
      if (ts.isClassDeclaration(node) && node.name?.text === component) {
        docs.description = tsdoc(checker, checker.getSymbolAtLocation(node.name)).description;
        for (const member of node.members) {
          if (
            !ts.isPropertyDeclaration(member) ||
            member.type === undefined ||
            !/^pulumi\.Output</.test(member.type.getText())
          )
            continue;
          const symbol = checker.getSymbolAtLocation(member.name);
          const held = checker.getTypeArguments(checker.getTypeAtLocation(member) as ts.TypeReference)[0];
          if (symbol !== undefined) docs.outputs.set(symbol.name, memberDocs(checker, symbol, member, held));
        }
      }
    });
    if (docs.inputs.size === 0) throw new Error(`schema: ${component}Args is not in ${componentFiles[component]}`);
    components.set(component, docs);
  }
  return { halves, host, components };
}

/** A component's member: its TSDoc, and its type as the schema says it (plain values as they are, the rest Any). */
function memberDocs(
  checker: ts.TypeChecker,
  symbol: ts.Symbol,
  at: ts.Node,
  type: ts.Type | undefined,
): Documented & { type: Property } {
  const shown = type === undefined ? "" : checker.typeToString(checker.getNonNullableType(type), at);
  return {
    ...tsdoc(checker, symbol),
    optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
    typeText: shown,
    type: ["string", "number", "boolean"].includes(shown) ? { type: shown } : { $ref: "pulumi.json#/Any" },
  };
}

/** A declaration's TSDoc: its text, and its `@default` when it has one. */
function tsdoc(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): Pick<Documented, "description" | "byDefault"> {
  const byDefault = symbol?.getJsDocTags(checker).find((tag) => tag.name === "default");
  return {
    description: symbol === undefined ? "" : ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim(),
    byDefault: byDefault?.text === undefined ? undefined : ts.displayPartsToString(byDefault.text).trim(),
  };
}

/** Each kind's zod object, as its `check` builds it (on a machine it never reaches: nothing runs). */
async function rulesOf(kind: Kind): Promise<zod.ZodObject> {
  const Provider = providerClass(kind);
  const unreachable = new Machine({} as never);
  let seen: zod.ZodObject | undefined;
  builtRules.seen = (schema) => {
    seen ??= schema;
  };
  try {
    await new Provider(unreachable).check(undefined, {});
  } catch {
    // A kind that looks further than its rules (a program's path) gets no further with no inputs.
  } finally {
    builtRules.seen = undefined;
  }
  if (seen === undefined) throw new Error(`schema: the check of ${kind} built no rules`);
  return seen;
}

/** The package's schema, as plugin/schema.json holds it. */
export async function packageSchema(): Promise<Record<string, unknown>> {
  const { z } = await import("zod");
  const { halves, host, components } = readDocs();
  const types: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  for (const kind of kindNames) {
    const half = halves.get(kind) as HalfDocs;
    const json = z.toJSONSchema(await rulesOf(kind), { io: "input", unrepresentable: "any" }) as {
      properties: Record<string, Property>;
      required?: string[];
    };
    const inputProperties: Record<string, Property> = {};
    for (const [name, rule] of Object.entries(json.properties)) {
      if (name === "owner") continue;
      const doc = half.args.get(name);
      if (doc === undefined) throw new Error(`schema: ${kind} checks "${name}", which ${kind}Args does not declare`);
      inputProperties[name] = described(pulumiType(rule, `${kind}${pascal(name)}`, types), doc);
    }
    inputProperties.host = described({ $ref: "pulumi.json#/Any" }, host);
    for (const name of half.args.keys()) {
      if (!(name in inputProperties))
        throw new Error(`schema: ${kind}Args declares "${name}", which ${kind}'s check does not take`);
    }
    const properties: Record<string, Property> = {};
    for (const [name, doc] of half.outputs) {
      const input = inputProperties[name];
      const { default: _d, replaceOnChanges: _r, ...type } = input ?? outputType(doc.typeText);
      properties[name] = { ...type, ...(doc.description === "" ? {} : { description: doc.description }) };
      if (properties[name].description === undefined && input?.description !== undefined) {
        properties[name].description = input.description;
      }
    }
    resources[packageToken(kind)] = {
      description: half.kind,
      inputProperties,
      requiredInputs: (json.required ?? []).filter((name) => name !== "owner"),
      properties,
      required: [...half.outputs].filter(([, doc]) => !/\|\s*undefined/.test(doc.typeText)).map(([name]) => name),
    };
  }
  for (const component of componentNames) {
    const docs = components.get(component) as ComponentDocs;
    const entries = (members: Map<string, Documented & { type: Property }>) =>
      Object.fromEntries([...members].map(([name, doc]) => [name, described(doc.type, doc)]));
    resources[packageToken(component)] = {
      isComponent: true,
      description: docs.description,
      inputProperties: entries(docs.inputs),
      requiredInputs: [...docs.inputs].filter(([, doc]) => !doc.optional).map(([name]) => name),
      properties: entries(docs.outputs),
      required: [...docs.outputs.keys()],
    };
  }
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  return {
    name: PACKAGE,
    // The npm package's: the plugin serves this version, and SDKs are generated at it.
    version,
    displayName: "pulumi-netns",
    description:
      "Linux network namespaces, veth pairs, addresses, routes, sysctls, bridges, processes and NAT, through iproute2 and nftables",
    license: "Apache-2.0",
    keywords: ["linux", "network", "namespace", "iproute2", "kind/native"],
    meta: { moduleFormat: "(.*)" },
    // A local module path: the Go SDK is generated where it is used (`pulumi package add`), not fetched.
    language: { go: { importBasePath: "pulumi-netns/sdk/go/netns" } },
    types,
    resources,
  };
}

/** `rule` (zod's JSON Schema of one input) as a Pulumi schema type; objects with fields become named types. */
function pulumiType(rule: Property, name: string, types: Record<string, unknown>): Property {
  const byDefault = "default" in rule && isPlain(rule.default) ? { default: rule.default } : {};
  switch (rule.type) {
    case "string":
    case "boolean":
    case "number":
    case "integer":
      return { type: rule.type, ...byDefault };
    case "array":
      return { type: "array", items: pulumiType(rule.items as Property, `${name}Item`, types) };
    case "object": {
      if (rule.properties === undefined) {
        const values = (rule.additionalProperties ?? {}) as Property;
        return { type: "object", additionalProperties: pulumiType(values, `${name}Value`, types) };
      }
      const token = `${PACKAGE}:index:${name}`;
      const fields = rule.properties as Record<string, Property>;
      types[token] = {
        type: "object",
        properties: Object.fromEntries(
          Object.entries(fields).map(([field, spec]) => [field, pulumiType(spec, `${name}${pascal(field)}`, types)]),
        ),
        required: rule.required ?? [],
      };
      return { $ref: `#/types/${token}` };
    }
    default:
      // A union or anything else JSON Schema says in several ways: any value, which check judges.
      return { $ref: "pulumi.json#/Any" };
  }
}

/** An output the kind adds to its inputs (an ifindex, a MAC, a value to put back), from its declared type. */
function outputType(typeText: string): Property {
  const held =
    /Output<(.*)>$/s
      .exec(typeText)?.[1]
      ?.replace(/\s*\|\s*undefined/, "")
      .trim() ?? "";
  if (["string", "number", "boolean"].includes(held)) return { type: held };
  if (held === "string[]") return { type: "array", items: { type: "string" } };
  if (held === "Record<string, string>") return { type: "object", additionalProperties: { type: "string" } };
  return { $ref: "pulumi.json#/Any" };
}

/** `type` with the TSDoc's description, its `@default` in words, and whether a change replaces. */
function described(type: Property, doc: Documented): Property {
  const words = doc.byDefault === undefined ? doc.description : `${doc.description}\n\nDefault: ${doc.byDefault}.`;
  return {
    ...type,
    ...(words === "" ? {} : { description: words }),
    ...(/Changing it replaces/.test(doc.description) ? { replaceOnChanges: true } : {}),
  };
}

function isPlain(value: unknown): boolean {
  return ["string", "number", "boolean"].includes(typeof value);
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The schema as the file holds it. */
export async function schemaText(): Promise<string> {
  return `${JSON.stringify(await packageSchema(), null, 2)}\n`;
}

if (require.main === module) {
  schemaText().then(
    (text) => writeFileSync(path.join(root, "plugin/schema.json"), text),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
