/**
 * NetNamespace against the real kernel. Each test uses namespaces of its own and removes them in
 * `finally`; nothing here touches the root namespace.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import NetNamespaceProvider from "../../provider/kinds/net-namespace.js";
import {
  ip,
  journalFiles,
  loopbackUp,
  namespaceExists,
  realMachine,
  removeJournalOf,
  removeNamespace,
  uniqueName,
} from "../support/kernel.js";

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

  describe("the bare name that a run killed inside `ip netns add` leaves (no namespace on it)", () => {
    /** That name, and the note of the create that was making it, as the kill leaves them. */
    function leftByKilledAdd() {
      const name = uniqueName();
      const owner = `it/${name}:ns`;
      mkdirSync("/run/pulumi-netns/creating/netns", { recursive: true });
      writeFileSync(`/run/pulumi-netns/creating/netns/${name}`, `pulumi-netns:${owner}`);
      mkdirSync("/run/netns", { recursive: true });
      writeFileSync(`/run/netns/${name}`, "", { flag: "wx" });
      const cleanUp = () => {
        removeNamespace(name);
        removeJournalOf(name);
      };
      return { name, owner, cleanUp };
    }

    it("is read as gone", async () => {
      const { name, owner, cleanUp } = leftByKilledAdd();
      try {
        assert.deepEqual(await provider.read(name, { name, loopbackUp: true, owner }), {});
      } finally {
        cleanUp();
      }
    });

    it("becomes the namespace at the next create", async () => {
      const { name, owner, cleanUp } = leftByKilledAdd();
      try {
        await provider.create({ name, loopbackUp: true, owner });
        assert.ok(loopbackUp(name), "a namespace is there now, with lo up");
        const [lo] = JSON.parse(ip("-n", name, "-json", "link", "show", "dev", "lo")) as Array<{ ifalias?: string }>;
        assert.equal(lo?.ifalias, `pulumi-netns:${owner}`);
        assert.ok(!journalFiles().some((f) => f.endsWith(name)), "and the note is gone");
      } finally {
        cleanUp();
      }
    });

    it("goes with the delete", async () => {
      const { name, owner, cleanUp } = leftByKilledAdd();
      try {
        await provider.delete(name, { name, loopbackUp: true, owner });
        assert.equal(namespaceExists(name), false);
        assert.ok(!journalFiles().some((f) => f.endsWith(name)), "and the note is gone");
      } finally {
        cleanUp();
      }
    });
  });
});
