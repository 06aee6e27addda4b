/**
 * The provider text Pulumi stores in state must evaluate in a fresh module and work: it may capture
 * nothing that fails to serialize (zod, execa) and must reach the installed implementation.
 */
import assert from "node:assert/strict";
import Module from "node:module";
import { after, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { forwarder } from "../../provider/dynamic.js";
import { providerFor, type ResourceKind } from "../../provider/providers.js";
import { useRunner } from "../../provider/runner.js";
import { FakeRunner } from "../support/fake-runner.js";

/** Evaluates serialized text the way Pulumi's dynamic-provider process does (require-from-string). */
function rehydrate(text: string, exportName: string): pulumi.dynamic.ResourceProvider {
  type Compilable = Module & { _compile(code: string, filename: string): void };
  const m = new Module("", undefined) as Compilable;
  m.filename = "";
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(process.cwd());
  m._compile(text, "");
  return (m.exports as Record<string, () => pulumi.dynamic.ResourceProvider>)[
    exportName
  ]?.() as pulumi.dynamic.ResourceProvider;
}

async function serialize(kind: ResourceKind) {
  const provider = forwarder(kind);
  return pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
}

describe("serialized providers", () => {
  after(() => useRunner(undefined));

  const cases: Array<[ResourceKind, Record<string, unknown>, string]> = [
    ["NetNamespace", { name: "lab0", loopbackUp: true }, "lab0"],
  ];
  for (const [kind, inputs, id] of cases) {
    it(`${kind}: stays small, captures no runtime dependency and runs against a fake runner`, async () => {
      const serialized = await serialize(kind);
      assert.ok(serialized.text.length < 4000, `serialized provider is ${serialized.text.length} characters`);
      assert.doesNotMatch(serialized.text, /zod|execa|Runner/);

      const runner = new FakeRunner();
      useRunner(runner);
      const provider = rehydrate(serialized.text, serialized.exportName);
      const checked = await provider.check?.({}, inputs);
      assert.equal(checked?.failures, undefined);
      const created = await provider.create(checked?.inputs ?? {});
      assert.equal(created.id, id);
      // The rehydrated forwarder reached the same implementation a direct call does.
      const direct = new FakeRunner();
      await providerFor(kind, direct).create(checked?.inputs ?? {});
      assert.deepEqual(runner.commands, direct.commands);
      assert.ok(runner.commands.length > 0);
      await provider.delete?.(id, created.outs);
    });
  }

  it("shares one serialized text among all resources of a kind", () => {
    assert.equal(forwarder("NetNamespace"), forwarder("NetNamespace"));
  });
});
