/**
 * NetNamespace against the real kernel. Each test uses namespaces of its own and removes them in
 * `finally`; nothing here touches the root namespace.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import NetNamespaceProvider from "../../src/provider/net-namespace.js";
import { ip, loopbackUp, namespaceExists, realMachine, removeNamespace, uniqueName } from "../support/kernel.js";

const provider = new NetNamespaceProvider(realMachine());

describe("NetNamespace on the kernel", () => {
  it("goes through its whole lifecycle", async () => {
    const name = uniqueName();
    try {
      const created = await provider.create({ name, loopbackUp: true });
      assert.equal(created.id, name);
      assert.ok(namespaceExists(name));
      assert.ok(loopbackUp(name), "lo is up in the new namespace");
      assert.deepEqual((await provider.read(name)).props, { name, loopbackUp: true });

      await provider.update(name, { name, loopbackUp: true }, { name, loopbackUp: false });
      assert.equal(loopbackUp(name), false);
      assert.deepEqual((await provider.read(name)).props, { name, loopbackUp: false });

      await provider.delete(name);
      assert.equal(namespaceExists(name), false);
      assert.deepEqual(await provider.read(name), {});
      await provider.delete(name); // already gone: still succeeds
    } finally {
      removeNamespace(name);
    }
  });

  it("reads lo brought down out of band, and a namespace deleted out of band as gone", async () => {
    const name = uniqueName();
    try {
      await provider.create({ name, loopbackUp: true });
      ip("-n", name, "link", "set", "dev", "lo", "down");
      assert.equal((await new NetNamespaceProvider(realMachine()).read(name)).props?.loopbackUp, false);
      ip("netns", "delete", name);
      assert.deepEqual(await new NetNamespaceProvider(realMachine()).read(name), {});
    } finally {
      removeNamespace(name);
    }
  });

  it("refuses a namespace that already exists and leaves it as it was", async () => {
    const name = uniqueName();
    try {
      ip("netns", "add", name);
      await assert.rejects(
        provider.create({ name, loopbackUp: true }),
        /already exists and this stack did not create it/,
      );
      assert.ok(namespaceExists(name), "the foreign namespace is still there");
      assert.equal(loopbackUp(name), false, "and untouched: its lo is still down");
    } finally {
      removeNamespace(name);
    }
  });
});
