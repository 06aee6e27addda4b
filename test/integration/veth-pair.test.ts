/**
 * VethPair against the real kernel, in namespaces of the test's own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import VethPairProvider, { ELSEWHERE, type VethPairInputs } from "../../provider/kinds/veth-pair.js";
import { ip, link, realMachine, uniqueName, withNamespaces } from "../support/kernel.js";

const provider = new VethPairProvider(realMachine());

describe("VethPair on the kernel", () => {
  it("creates both ends in two namespaces, up, and reports their ifindex and MAC", async () => {
    await withNamespaces(2, async ([a, b]) => {
      const inputs: VethPairInputs = { name: "va", peerName: "vb", netns: a, peerNetns: b, mtu: 1500, up: true };
      const { outs } = await provider.create(inputs);
      const [la, lb] = [link(a as string, "va"), link(b as string, "vb")];
      assert.ok(la?.flags.includes("UP") && lb?.flags.includes("UP"), "both ends are up");
      assert.equal(outs.ifindex, la?.ifindex);
      assert.equal(outs.mac, la?.address);
      assert.equal(outs.peerIfindex, lb?.ifindex);
      assert.equal(outs.peerMac, lb?.address);
      assert.deepEqual((await provider.read("id", outs)).props, outs, "read reports what create returned");
    });
  });

  it("takes names that are words, or prefixes of words, of ip's own (a, mtu, type, dev)", async () => {
    await withNamespaces(1, async ([a]) => {
      for (const [name, peerName] of [
        ["a", "mtu"],
        ["type", "dev"],
      ] as const) {
        await provider.create({ name, peerName, netns: a, peerNetns: a, mtu: 1400, up: true });
        assert.equal(link(a as string, name)?.mtu, 1400, `${name} was made, with its MTU`);
        assert.equal(link(a as string, peerName)?.mtu, 1400, `${peerName} was made, with its MTU`);
      }
    });
  });

  it("creates both ends in one namespace with an MTU, and leaves them down when asked", async () => {
    await withNamespaces(1, async ([a]) => {
      await provider.create({ name: "v1", peerName: "v2", netns: a, peerNetns: a, mtu: 1400, up: false });
      for (const end of ["v1", "v2"]) {
        assert.equal(link(a as string, end)?.mtu, 1400);
        assert.equal(link(a as string, end)?.flags.includes("UP"), false);
      }
    });
  });

  it("updates the MTU and the up state in place", async () => {
    await withNamespaces(2, async ([a, b]) => {
      const olds = (await provider.create({ name: "va", peerName: "vb", netns: a, peerNetns: b, mtu: 1500, up: true }))
        .outs;
      const { outs } = await provider.update("id", olds, { ...olds, mtu: 9000, up: false });
      assert.equal(link(a as string, "va")?.mtu, 9000);
      assert.equal(link(b as string, "vb")?.mtu, 9000);
      assert.equal(link(b as string, "vb")?.flags.includes("UP"), false);
      assert.equal(outs.ifindex, olds.ifindex, "the same devices: not replaced");
    });
  });

  it("reads drift: an end set down, an MTU changed, an end moved away, then the pair deleted", async () => {
    await withNamespaces(3, async ([a, b, c]) => {
      const outs = (await provider.create({ name: "va", peerName: "vb", netns: a, peerNetns: b, mtu: 1500, up: true }))
        .outs;
      ip("-n", b as string, "link", "set", "dev", "vb", "down");
      ip("-n", a as string, "link", "set", "dev", "va", "mtu", "1400");
      const drifted = await new VethPairProvider(realMachine()).read("id", outs);
      assert.equal(drifted.props?.up, false);
      assert.equal(drifted.props?.mtu, 1400);
      assert.equal((await provider.diff("id", outs, drifted.inputs as VethPairInputs)).changes, true);

      ip("-n", b as string, "link", "set", "dev", "vb", "netns", c as string);
      const moved = await new VethPairProvider(realMachine()).read("id", outs);
      assert.equal(moved.props?.peerNetns, ELSEWHERE);
      const diff = await provider.diff("id", outs, { ...outs, mtu: 1500 });
      assert.deepEqual(diff.replaces, []);
      assert.ok((await provider.diff("id", moved.props as never, outs)).replaces?.includes("peerNetns"));

      // Deleting works from the end that stayed, and removes the moved one too.
      await provider.delete("id", moved.props as VethPairInputs);
      assert.equal(link(a as string, "va"), undefined);
      assert.equal(link(c as string, "vb"), undefined);
      assert.deepEqual(await provider.read("id", outs), {});
      await provider.delete("id", outs); // already gone: still succeeds
    });
  });

  it("refuses a name that is taken, leaving the foreign interface alone and nothing behind", async () => {
    await withNamespaces(2, async ([a, b]) => {
      ip("-n", b as string, "link", "add", "vb", "type", "veth", "peer", "name", "vz");
      await assert.rejects(
        provider.create({ name: "va", peerName: "vb", netns: a, peerNetns: b, mtu: 1500, up: true }),
        /already exists and this stack did not create it/,
      );
      assert.ok(link(b as string, "vb"), "the foreign interface is still there");
      assert.equal(link(a as string, "va"), undefined, "no half pair was left");
    });
  });

  it("fails with the kernel's words when the namespace does not exist, creating nothing", async () => {
    await withNamespaces(1, async ([a]) => {
      const missing = uniqueName();
      await assert.rejects(
        provider.create({ name: "va", peerName: "vb", netns: a, peerNetns: missing, mtu: 1500, up: true }),
        (e: Error) => /netns/.test(e.message) && e.message.includes(missing),
      );
      assert.equal(link(a as string, "va"), undefined);
    });
  });

  it("marks both ends, adopts its own pair on a retry, and refuses another stack's", async () => {
    await withNamespaces(2, async ([a, b]) => {
      const inputs: VethPairInputs = {
        name: "va",
        peerName: "vb",
        netns: a,
        peerNetns: b,
        mtu: 1500,
        up: true,
        owner: "lab/dev:pair",
      };
      const first = (await provider.create(inputs)).outs;
      assert.equal(
        JSON.parse(ip("-n", b as string, "-json", "link", "show", "dev", "vb"))[0].ifalias,
        "pulumi-netns:lab/dev:pair",
      );
      // The state of the first create was lost (a killed run): the retry adopts the same devices.
      const again = (await provider.create(inputs)).outs;
      assert.equal(again.ifindex, first.ifindex);
      await assert.rejects(provider.create({ ...inputs, owner: "lab/prod:pair" }), /did not create it/);
      await provider.delete("id", { ...inputs, owner: "lab/prod:pair" });
      assert.ok(link(a as string, "va"), "another stack's delete leaves it alone");
      await provider.delete("id", again);
      assert.equal(link(a as string, "va"), undefined);
    });
  });
});
