/**
 * Sysctl against the real kernel, inside namespaces of the test's own: the root namespace is
 * never written.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import SysctlProvider from "../../provider/kinds/sysctl.js";
import { realMachine, setSysctl, sysctl, uniqueName, withNamespaces } from "../support/kernel.js";

const provider = new SysctlProvider(realMachine());
const key = "net.ipv4.ip_forward";

describe("Sysctl on the kernel", () => {
  it("sets a value, remembers the one it found, and puts it back on delete", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      assert.equal(sysctl(n, key), "0");
      const { outs } = await provider.create({ key, value: "1", netns: n });
      assert.equal(sysctl(n, key), "1");
      assert.equal(outs.previous, "0");
      await provider.delete("id", outs);
      assert.equal(sysctl(n, key), "0");
    });
  });

  it("updates in place, keeping the value to restore, and reads drift", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      const olds = (await provider.create({ key: "net.ipv4.tcp_rmem", value: "4096 65536 1048576", netns: n })).outs;
      const before = olds.previous;
      const { outs } = await provider.update("id", olds, { ...olds, value: "4096 131072 2097152" });
      assert.equal(sysctl(n, "net.ipv4.tcp_rmem").split(/\s+/).join(" "), "4096 131072 2097152");
      assert.equal(outs.previous, before);
      // By hand, a value the kernel takes: 6.18.44 refuses "4096 1000 2000" (EINVAL), which older kernels took.
      setSysctl(n, "net.ipv4.tcp_rmem", "4096 16384 4194304");
      assert.equal((await new SysctlProvider(realMachine()).read("id", outs)).props?.value, "4096 16384 4194304");
      await provider.delete("id", outs);
      assert.equal(sysctl(n, "net.ipv4.tcp_rmem").split(/\s+/).join(" "), before);
    });
  });

  it("refuses a value the kernel does not take, and puts the old one back", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      await assert.rejects(provider.create({ key, value: "banana", netns: n }), (e: Error) =>
        /ip_forward/.test(e.message),
      );
      assert.equal(sysctl(n, key), "0");
    });
  });

  it("says so when the key does not exist, and deletes cleanly when the namespace is gone", async () => {
    await withNamespaces(1, async ([netns]) => {
      await assert.rejects(
        provider.create({ key: "net.ipv4.no_such_key", value: "1", netns: netns as string }),
        /does not exist/,
      );
    });
    const gone = uniqueName();
    assert.deepEqual(await provider.read("id", { key, value: "1", netns: gone, previous: "0" }), {});
    await provider.delete("id", { key, value: "1", netns: gone, previous: "0" });
  });

  it("restores the machine's own value even when a run was killed after writing", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      const inputs = { key, value: "1", netns: n, owner: "lab/dev:forwarding" };
      await provider.create(inputs);
      // The state of that create was lost: the retry finds "1" live, but restores the recorded "0".
      const { outs } = await provider.create(inputs);
      assert.equal(outs.previous, "0");
      await provider.delete("id", outs);
      assert.equal(sysctl(n, key), "0");
      assert.equal(existsSync(`/run/pulumi-netns/sysctl/${n}`), false, "the journal cleans up after itself");
    });
  });
});
