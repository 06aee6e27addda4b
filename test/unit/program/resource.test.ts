import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { NetNamespace } from "../../../provider/program/net-namespace.js";

pulumi.runtime.setMocks(
  { newResource: (args) => ({ id: args.name, state: args.inputs }), call: () => ({}) },
  "project",
  "stack",
  false,
);

describe("a resource's registration", () => {
  it("leaves Error.stackTraceLimit as it found it", () => {
    const before = Error.stackTraceLimit;
    new NetNamespace("ns", { name: "lab0" });
    assert.equal(Error.stackTraceLimit, before);
  });

  it("hands the owner to the provider", async () => {
    const ns = new NetNamespace("owned", { name: "lab1" });
    const owner = await new Promise((resolve) =>
      (ns as unknown as { owner: pulumi.Output<string> }).owner.apply(resolve),
    );
    assert.equal(owner, "project/stack:owned");
  });

  it("keeps the stack of an error the SDK throws, pointing at the caller", () => {
    const before = Error.stackTraceLimit;
    assert.throws(
      () => new NetNamespace("", { name: "lab2" }),
      (e: unknown) => e instanceof Error && /resource\.test\.js/.test(e.stack ?? "") && /name/i.test(e.message),
    );
    assert.equal(Error.stackTraceLimit, before);
  });
});
