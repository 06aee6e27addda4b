/**
 * `pulumi import` against the real kernel: each importable kind's `adopt` on objects made by hand in
 * namespaces of the test's own. What it returns, checked and diffed against itself as a program
 * written from it would be, shows no change (the clean preview after an import); the mark goes
 * where the kind has room for one; another stack's mark is refused; a name with nothing behind it
 * is not found.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KindProvider } from "../../provider/kinds/base/kind.js";
import { providerClass } from "../../provider/kinds/index.js";
import type { Kind } from "../../provider/registry.js";
import { ip, realMachine, withNamespaces } from "../support/kernel.js";

const owner = "lab/dev:imported";
const mark = `pulumi-netns:${owner}`;

// biome-ignore lint/suspicious/noExplicitAny: each kind has its own state.
function providerOf(kind: Kind): KindProvider<any, any> {
  const Provider = providerClass(kind);
  return new Provider(realMachine());
}

/** Adopts `id` as `kind`, then checks that a program written from the result would preview clean. */
async function adoptedClean(kind: Kind, id: string): Promise<Record<string, unknown>> {
  const provider = providerOf(kind);
  const state = await provider.adopt?.(id, owner);
  assert.ok(state, `${kind} ${id} is found`);
  const read = await provider.read(provider.id(state), state);
  const { owner: _, ...inputs } = read.inputs as Record<string, unknown>;
  const checked = await provider.check(undefined, { ...inputs, owner });
  assert.equal(checked.failures, undefined, `${kind} ${id}: what import wrote passes check`);
  const diff = await provider.diff(provider.id(state), read.props, checked.inputs);
  assert.equal(diff.changes, false, `${kind} ${id}: previews clean, ${JSON.stringify({ state, checked })}`);
  return state;
}

function alias(netns: string, device: string): string | undefined {
  return JSON.parse(ip("-n", netns, "-json", "link", "show", "dev", device))[0]?.ifalias;
}

describe("pulumi import of objects made by hand", () => {
  it("takes a namespace, a veth pair by either end, a bridge, an address, a route and a sysctl, marking what has room", async () => {
    await withNamespaces(2, async ([a, b]) => {
      const [n0, n1] = [a as string, b as string];
      ip("-n", n0, "link", "add", "v1", "type", "veth", "peer", "name", "v2", "netns", n1);
      ip("-n", n0, "link", "add", "s1", "type", "veth", "peer", "name", "s2");
      ip("-n", n0, "link", "add", "br0", "type", "bridge");
      ip("-n", n0, "link", "set", "dev", "v1", "up");
      ip("-n", n0, "address", "add", "10.9.1.1/24", "dev", "v1");
      ip("-n", n0, "route", "add", "10.9.2.0/24", "via", "10.9.1.2", "metric", "7");

      const ns = await adoptedClean("NetNamespace", n0);
      assert.deepEqual(ns, { name: n0, loopbackUp: false, owner });
      assert.equal(alias(n0, "lo"), mark);

      // The peer in another namespace, found by its index; and one in the same namespace, by name.
      const pair = await adoptedClean("VethPair", `${n1}/v2`);
      assert.deepEqual([pair.name, pair.netns, pair.peerName, pair.peerNetns], ["v2", n1, "v1", n0]);
      assert.deepEqual([alias(n0, "v1"), alias(n1, "v2")], [mark, mark]);
      const same = await adoptedClean("VethPair", `${n0}/s1`);
      assert.deepEqual([same.peerName, same.peerNetns], ["s2", n0]);

      await adoptedClean("Bridge", `${n0}/br0`);
      assert.equal(alias(n0, "br0"), mark);
      const address = await adoptedClean("IpAddress", `${n0}/v1/10.9.1.1/24`);
      assert.equal(address.address, "10.9.1.1/24");
      const route = await adoptedClean("Route", `${n0}/10.9.2.0/24`);
      assert.deepEqual([route.via, route.device, route.metric], ["10.9.1.2", "v1", 7]);
      const sysctl = await adoptedClean("Sysctl", `${n0}/net.ipv4.ip_forward`);
      assert.deepEqual([sysctl.value, sysctl.previous], ["0", "0"], "destroy would leave the value found");
      // The journal record an adopted sysctl writes goes with its delete, which puts back the same value.
      await providerOf("Sysctl").delete("id", sysctl);
    });
  });

  it("refuses an object another stack's resource marks, names the command that clears the mark, and finds nothing where nothing is", async () => {
    await withNamespaces(1, async ([a]) => {
      const n0 = a as string;
      ip("-n", n0, "link", "add", "v1", "type", "veth", "peer", "name", "v2");
      ip("-n", n0, "link", "set", "dev", "v2", "alias", "pulumi-netns:other/prod:pair");
      await assert.rejects(
        providerOf("VethPair").adopt?.(`${n0}/v1`, owner) as Promise<unknown>,
        new RegExp(`carries the mark of other/prod:pair.*ip -n ${n0} link set dev v2 alias ""`),
      );
      assert.equal(alias(n0, "v1"), undefined, "nothing was marked");
      assert.equal(await providerOf("VethPair").adopt?.(`${n0}/nothere`, owner), undefined);
      assert.equal(await providerOf("NetNamespace").adopt?.(`${n0}x`, owner), undefined);
      await assert.rejects(providerOf("VethPair").adopt?.("a/b/c", owner) as Promise<unknown>, /must have the form/);
    });
  });
});
