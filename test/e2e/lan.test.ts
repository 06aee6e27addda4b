/**
 * The bridged LAN (examples/lan, a Topology) through the real engine: every node reaches every
 * other on IPv4 and IPv6, across a bridge and through the router; h4 fetches h1's web page by
 * name; h2 reaches the upstream through NAT, which cannot reach back; a clean preview; a port taken
 * off its bridge by hand and a bridge's option changed by hand show as drift and `up` repairs
 * them; destroy leaves the machine exactly as it was. Every namespace is the test's own.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { PlannedNode } from "../../provider/index.js";
import { previewChanges, repoRoot } from "../support/engine.js";
import { ip, ping, uniqueName } from "../support/kernel.js";
import { withLab } from "../support/lab.js";
import { familiesPinged, unreachable } from "../support/topology.js";

const project = path.join(repoRoot, "examples/lan");

/** The page at http://HOST/ fetched from inside `netns`, the name resolved there. */
function fetchPage(netns: string, host: string): string {
  const client = `require("http").get("http://${host}/", (r) => r.pipe(process.stdout))`;
  return execFileSync("ip", ["netns", "exec", netns, process.execPath, "-e", client], {
    encoding: "utf8",
    timeout: 10000,
  });
}

describe("the bridged LAN through the engine", () => {
  it("joins every node to every other, shows drift of ports and bridges, repairs it, and leaves nothing", async () => {
    const prefix = uniqueName("ln");
    await withLab(project, { prefix }, prefix, async (stack) => {
      const up = await stack.up();
      const nodes = up.outputs.nodes?.value as Record<string, PlannedNode>;
      assert.deepEqual(familiesPinged(nodes), { ipv4: 5, ipv6: 5 });
      assert.deepEqual(nodes.h2?.interfaces, [
        { name: "sw1", network: "sw1", addresses: ["10.20.1.12/24", "fd00:20:1::c/64"] },
      ]);
      assert.deepEqual(unreachable(nodes), [], "every node reaches every other");
      // By name, from the hosts files: h4 fetches h1's page across the router, and h1's server logs it.
      assert.equal(fetchPage(`${prefix}h4`, "h1"), "hello from h1\n");
      assert.match(
        readFileSync(String(up.outputs.webLog?.value), "utf8"),
        /GET \/ from (10\.20\.2\.14|fd00:20:2::e)\n/,
      );
      // The upstream, which has no route back, answers h2 through the router's NAT.
      assert.ok(ping(`${prefix}h2`, "198.51.100.2"));
      assert.ok(!ping(`${prefix}upstream`, "10.20.1.12"), "the upstream cannot reach into the LAN");
      const preview = await stack.preview({ refresh: true, expectNoChanges: true });
      assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);

      ip("-n", `${prefix}sw1`, "link", "set", "dev", "h2", "nomaster");
      assert.ok(!ping(`${prefix}h1`, "10.20.1.12"), "h2 is cut off once its port left the bridge");
      ip("-n", `${prefix}sw1`, "link", "set", "dev", "sw1", "type", "bridge", "forward_delay", "100");
      // One route of a node, gone: the preview names that route of its NetnsConfig, and nothing else of it.
      ip("-n", `${prefix}h3`, "-6", "route", "del", "default");
      // h2's way out went with its port: its check of the upstream shows that too.
      assert.deepEqual(await previewChanges(stack), [
        "update h2-reaches-upstream",
        "update lan-h3-config (routes: +::/0)",
        "update lan-sw1-bridge",
        "update lan-sw1-h2",
      ]);

      await stack.up({ refresh: true });
      assert.deepEqual(unreachable(nodes), [], "the repaired LAN works again");
    });
  });
});
