import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { providerFor } from "../../../src/provider/index.js";
import { FakeSystem } from "../../support/fake-system.js";

describe("the provider as the engine calls it", () => {
  it("keeps the owner an object was made by through an update, as a renamed (aliased) resource needs", async () => {
    const system = new FakeSystem();
    const olds = { name: "a", loopbackUp: true, owner: "lab/dev:star-left" };
    const news = { name: "a", loopbackUp: false, owner: "lab/dev:lab-left" };
    const { outs } = await providerFor("NetNamespace", system.machine).update("a", olds, news);
    assert.deepEqual(outs, { name: "a", loopbackUp: false, owner: "lab/dev:star-left" });
    assert.deepEqual(system.calls, [["ip", "-n", "a", "link", "set", "dev", "lo", "down"]]);
  });

  it("leaves a resource made before owners existed without one", async () => {
    const system = new FakeSystem();
    const { outs } = await providerFor("NetNamespace", system.machine).update(
      "a",
      { name: "a", loopbackUp: true },
      { name: "a", loopbackUp: false, owner: "lab/dev:lab-left" },
    );
    assert.deepEqual(outs, { name: "a", loopbackUp: false });
  });
});
