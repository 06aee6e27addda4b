/**
 * Drift on the routed lab, every kind of hand-made change, a few unrelated ones at a time as they
 * happen on a real machine: `pulumi preview` names the resource of each, `preview --expect-no-changes`
 * fails, one `pulumi up` repairs them all, and the next preview is clean. Then: refresh and destroy after everything vanished by hand.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { previewChanges, repoRoot, resourceTypesInState, testStack } from "../support/engine.js";
import { ip, namespaces, ping, removeNamespace, setSysctl, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "examples/routed-lab");

// Side by side: each case's lab has a prefix of its own, and each looks only at what carries it.
describe("drift on the routed lab", { concurrency: 2 }, () => {
  it("is shown by preview and repaired by up, for every kind of hand-made change", async () => {
    const prefix = uniqueName("dr").slice(0, 9);
    const host = `${prefix}host`;
    const [ns0, ns1, elsewhere] = [`${prefix}ns0`, `${prefix}ns1`, `${prefix}else`];
    const { stack, dispose } = await testStack(project, { prefix, hostNetns: host });
    type Case = [string, () => void, RegExp];
    // Three rounds of changes that do not overlap: each round's preview must name every change of
    // it, `--expect-no-changes` must fail, one `up` must repair them all, and the next preview is clean.
    const rounds: Case[][] = [
      [
        ["a namespace deleted", () => ip("netns", "delete", ns1), /create ns1$/m],
        [
          "an MTU changed",
          () => ip("-n", host, "link", "set", "dev", `${prefix}veth11`, "mtu", "1400"),
          /update veth11-veth12$/m,
        ],
        ["a sysctl changed", () => setSysctl(host, "net.ipv4.ip_forward", "0"), /update ip-forward$/m],
      ],
      [
        [
          "one veth end deleted",
          () => ip("-n", ns0, "link", "delete", "dev", `${prefix}veth12`),
          /create veth11-veth12$/m,
        ],
        [
          "a link set down",
          () => ip("-n", host, "link", "set", "dev", `${prefix}veth21`, "down"),
          /update veth21-veth22$/m,
        ],
        [
          "an address removed",
          () => ip("-n", host, "address", "delete", "10.1.20.1/24", "dev", `${prefix}veth21`),
          /create veth21-address$/m,
        ],
        ["a route removed", () => ip("-n", ns1, "route", "delete", "10.1.10.0/24"), /create ns1-to-ns0$/m],
      ],
      [
        [
          "a route changed",
          () => ip("-n", ns0, "route", "replace", "10.1.20.0/24", "via", "10.1.10.9"),
          /update ns0-to-ns1$/m,
        ],
        [
          "a veth end moved to another namespace",
          () => ip("-n", ns1, "link", "set", "dev", `${prefix}veth22`, "netns", elsewhere),
          /replace veth21-veth22$/m,
        ],
      ],
    ];
    try {
      ip("netns", "add", elsewhere);
      await stack.up();
      for (const round of rounds) {
        const whats = round.map(([what]) => what).join(", ");
        for (const [, change] of round) change();
        const changes = (await previewChanges(stack)).join("\n");
        for (const [what, , shows] of round) {
          assert.match(changes, shows, `${what}: preview shows it (it showed:\n${changes})`);
        }
        await assert.rejects(
          stack.preview({ refresh: true, expectNoChanges: true }),
          `${whats}: --expect-no-changes fails`,
        );
        await stack.up({ refresh: true });
        assert.deepEqual(await previewChanges(stack), [], `${whats}: repaired, the next preview is clean`);
        assert.ok(ping(ns0, "10.1.20.2") && ping(ns1, "10.1.10.2"), `${whats}: ns0 and ns1 reach each other again`);
      }
    } finally {
      await dispose();
      for (const ns of [ns0, ns1, host, elsewhere]) removeNamespace(ns);
    }
  });

  it("refreshes and destroys cleanly after everything vanished by hand", async () => {
    const prefix = uniqueName("dv").slice(0, 9);
    const host = `${prefix}host`;
    const made = [host, `${prefix}ns0`, `${prefix}ns1`];
    const { stack, dispose } = await testStack(project, { prefix, hostNetns: host });
    try {
      await stack.up();
      for (const ns of made) ip("netns", "delete", ns);
      await stack.refresh();
      assert.deepEqual(await resourceTypesInState(stack), [], "refresh dropped everything");
      await stack.up();
      for (const ns of made) ip("netns", "delete", ns);
      const destroyed = await stack.destroy();
      assert.equal(destroyed.summary.result, "succeeded");
      assert.equal(
        namespaces().some((n) => n.startsWith(prefix)),
        false,
      );
    } finally {
      await dispose();
      for (const ns of made) removeNamespace(ns);
    }
  });
});
