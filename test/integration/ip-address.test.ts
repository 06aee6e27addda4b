/**
 * IpAddress against the real kernel, on a veth end inside a namespace of the test's own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import IpAddressProvider from "../../provider/kinds/ip-address.js";
import { addresses, ip, realMachine, uniqueName, withNamespaces } from "../support/kernel.js";

const provider = new IpAddressProvider(realMachine());

async function withDevice(body: (netns: string) => Promise<void>): Promise<void> {
  await withNamespaces(1, async ([netns]) => {
    ip("-n", netns as string, "link", "add", "v1", "type", "veth", "peer", "name", "v2");
    await body(netns as string);
  });
}

describe("IpAddress on the kernel", () => {
  it("adds, reads, deletes, and deletes again", async () => {
    await withDevice(async (netns) => {
      const checked = await provider.check({}, { address: "10.1.10.2/24", device: "v1", netns });
      const { outs } = await provider.create(checked.inputs as never);
      assert.deepEqual(addresses(netns, "v1"), ["10.1.10.2/24"]);
      assert.deepEqual((await provider.read("id", outs)).props, outs);
      await provider.delete("id", outs);
      assert.deepEqual(addresses(netns, "v1"), []);
      assert.deepEqual(await provider.read("id", outs), {});
      await provider.delete("id", outs);
    });
  });

  it("stores an IPv6 address the way the kernel prints it, so read matches", async () => {
    await withDevice(async (netns) => {
      const checked = await provider.check({}, { address: "FD00:0:0:0:0:0:0:02/64", device: "v1", netns });
      assert.equal(checked.inputs?.address, "fd00::2/64");
      const { outs } = await provider.create(checked.inputs as never);
      assert.ok(addresses(netns, "v1").includes("fd00::2/64"));
      assert.equal((await provider.read("id", outs)).id, "id");
      await provider.delete("id", outs);
      assert.equal(addresses(netns, "v1").includes("fd00::2/64"), false);
    });
  });

  it("adds an IPv6 address usable at once with nodad, sees the flag dropped by hand, and sets it again in place", async () => {
    await withDevice(async (netns) => {
      ip("-n", netns, "link", "set", "v1", "up");
      ip("-n", netns, "link", "set", "v2", "up");
      const { outs } = await provider.create({ address: "fd00::2/64", device: "v1", netns, nodad: true });
      const flags = () => JSON.stringify(JSON.parse(ip("-n", netns, "-json", "address", "show", "dev", "v1")));
      // Not tentative: DAD would hold a new address back for a second or two.
      assert.match(flags(), /"local":"fd00::2","prefixlen":64,[^}]*"nodad":true/);
      assert.doesNotMatch(flags(), /"local":"fd00::2"[^}]*"tentative"/);
      ip("-n", netns, "address", "change", "fd00::2/64", "dev", "v1");
      const drifted = (await new IpAddressProvider(realMachine()).read("id", outs)).props;
      assert.equal(drifted?.nodad, undefined, "the flag dropped by hand is seen");
      assert.equal((await provider.diff("id", drifted as never, outs)).changes, true);
      await provider.update("id", drifted as never, outs);
      assert.equal((await new IpAddressProvider(realMachine()).read("id", outs)).props?.nodad, true);
      await provider.delete("id", outs);
      assert.equal(addresses(netns, "v1").includes("fd00::2/64"), false);
    });
  });

  it("reads an address removed out of band, or whose device or namespace is gone, as gone", async () => {
    await withDevice(async (netns) => {
      const { outs } = await provider.create({ address: "10.1.10.2/24", device: "v1", netns });
      ip("-n", netns, "address", "delete", "10.1.10.2/24", "dev", "v1");
      assert.deepEqual(await new IpAddressProvider(realMachine()).read("id", outs), {});
      assert.deepEqual(await provider.read("id", { ...outs, device: "nosuch" }), {});
      assert.deepEqual(await provider.read("id", { ...outs, netns: uniqueName() }), {});
      await provider.delete("id", { ...outs, netns: uniqueName() });
    });
  });

  it("refuses an address that is already there, and leaves it", async () => {
    await withDevice(async (netns) => {
      ip("-n", netns, "address", "add", "10.1.10.2/24", "dev", "v1");
      await assert.rejects(
        provider.create({ address: "10.1.10.2/24", device: "v1", netns }),
        /already exists and this stack did not create it/,
      );
      assert.deepEqual(addresses(netns, "v1"), ["10.1.10.2/24"]);
    });
  });

  it("says which device is missing", async () => {
    await withDevice(async (netns) => {
      await assert.rejects(provider.create({ address: "10.1.10.2/24", device: "nosuch", netns }), (e: Error) => {
        assert.match(e.message, /ip -n \S+ address add 10\.1\.10\.2\/24 dev nosuch/);
        assert.match(e.message, /Cannot find device "nosuch"/);
        assert.match(e.message, /There is no device "nosuch" in namespace "[^"]+"\. Declare it/);
        return true;
      });
    });
  });
});
