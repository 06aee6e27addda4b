/**
 * Topology's `script`, run as it is by `sh` on the real kernel: a router between a segment and a
 * link, both families, hosts files and a check of every pair. Every check of the script holds, and
 * its own "take it away" lines leave the machine as it was.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { planTopology } from "../../provider/program/components/topology/plan.js";
import { topologyCommands, topologyScript } from "../../provider/program/components/topology/script.js";
import { machineState, namespaces, removeNamespace, uniqueName } from "../support/kernel.js";

describe("a Topology's script", () => {
  it("makes the lab with plain commands, passes its checks, and its teardown leaves nothing", () => {
    const prefix = uniqueName("sc").slice(0, 9);
    const plan = planTopology({
      prefix,
      pools: { ipv4: "10.63.0.0/16", ipv6: "fd00:63::/48" },
      hosts: true,
      nodes: [
        { name: "r", router: true },
        // Startup commands, one of them with words a shell would split and unquote.
        { name: "a", exec: [["ip", "link", "set", "dev", "lo", "alias", "it's a's $HOME"]] },
        { name: "b" },
        { name: "c" },
      ],
      segments: [{ name: "lan", members: ["r", "a", "b"] }],
      links: [{ between: ["r", "c"], shaping: [{ rate: "100mbit" }, null] }],
      checks: "all-pairs",
    });
    const before = machineState();
    const hadEtcNetns = existsSync("/etc/netns");
    const { down } = topologyCommands(plan);
    try {
      const text = topologyScript(plan);
      assert.match(text, /^#!\/bin\/sh\n/);
      // Runs whole: `set -e` stops at the first command that fails, a check among them.
      execFileSync("sh", ["-c", text], { stdio: ["ignore", "pipe", "pipe"] });
      assert.equal((text.match(/# \S+ reaches \S+$/gm) ?? []).length, 24, "every ordered pair, both families");
      assert.equal(
        execFileSync("ip", ["netns", "exec", `${prefix}c`, "getent", "ahostsv4", "a"], { encoding: "utf8" }).split(
          /\s+/,
        )[0],
        plan.nodes.find((n) => n.name === "a")?.interfaces[0]?.addresses[0]?.split("/")[0],
        "the hosts files name every node",
      );
      assert.match(
        execFileSync("tc", ["-n", `${prefix}r`, "qdisc", "show", "dev", "c"], { encoding: "utf8" }),
        /tbf .*rate 100Mbit/,
        "the link's end at r is shaped",
      );
      const lo = JSON.parse(
        execFileSync("ip", ["-n", `${prefix}a`, "-json", "link", "show", "dev", "lo"], { encoding: "utf8" }),
      );
      assert.equal(lo[0]?.ifalias, "it's a's $HOME", "the startup command ran with its words as declared");
      execFileSync("sh", ["-c", down.join("\n")]);
      assert.deepEqual(machineState(), before, "the script's teardown leaves the machine as it was");
      assert.equal(existsSync("/etc/netns"), hadEtcNetns, "/etc/netns is there only if it was before");
    } finally {
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
      execFileSync("rm", ["-rf", ...plan.nodes.map((n) => `/etc/netns/${n.netns}`)]);
    }
  });
});
