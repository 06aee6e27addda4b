/**
 * NetnsExec against the real kernel, in namespaces of the test's own: commands run in order where
 * they were declared, a failing one stops the rest and is told with what it printed, a hanging one
 * is stopped by its timeout, and a change runs again from the first command that changed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import NetnsExecProvider, { type NetnsExecInputs } from "../../provider/kinds/netns-exec.js";
import { ip, realMachine, withNamespaces } from "../support/kernel.js";

const provider = () => new NetnsExecProvider(realMachine());

/** The IPv4 addresses on `lo` in `netns`. */
const loopbackAddresses = (netns: string) =>
  (JSON.parse(ip("-n", netns, "-json", "address", "show", "dev", "lo")) as Array<{ addr_info: { local: string }[] }>)
    .flatMap((link) => link.addr_info.map((a) => a.local))
    .filter((a) => !a.includes(":"));

describe("NetnsExec on the kernel", () => {
  it("runs its commands in order in its namespace, and again from the first that changed", async () => {
    await withNamespaces(1, async ([netns]) => {
      const inputs: NetnsExecInputs = {
        netns: netns as string,
        commands: [
          ["ip", "link", "set", "dev", "lo", "up"],
          ["ip", "address", "add", "192.0.2.1/32", "dev", "lo"],
          ["cat", "/proc/sys/net/ipv4/ip_forward"],
        ],
        timeout: 5,
      };
      const checked = await provider().check({}, { ...inputs });
      assert.equal(checked.failures, undefined);
      const { outs } = await provider().create(inputs);
      assert.deepEqual(loopbackAddresses(netns as string), ["127.0.0.1", "192.0.2.1"]);
      assert.deepEqual(outs.outputs, ["", "", "0"], "the namespace's own forwarding, off");

      const changed = {
        ...inputs,
        commands: [...inputs.commands.slice(0, 1), ["ip", "address", "add", "192.0.2.2/32", "dev", "lo"]],
      };
      // Were the first command run again too, nothing would show; the second would fail ("File exists") if it were the old one.
      const { outs: after } = await provider().update("id", outs, changed);
      assert.deepEqual(loopbackAddresses(netns as string), ["127.0.0.1", "192.0.2.1", "192.0.2.2"]);
      assert.deepEqual(after.outputs, ["", ""]);
    });
  });

  it("stops at a failing command, telling what it printed, and stops one that hangs", async () => {
    await withNamespaces(1, async ([netns]) => {
      const failing: NetnsExecInputs = {
        netns: netns as string,
        commands: [
          ["ip", "address", "add", "192.0.2.1/32", "dev", "nosuchdevice"],
          ["ip", "link", "set", "dev", "lo", "up"],
        ],
        timeout: 5,
      };
      await assert.rejects(provider().create(failing), /commands\[0\] .* failed with exit code \d+:\n.*nosuchdevice/s);
      assert.equal(
        ip("-n", netns as string, "-json", "link", "show", "dev", "lo").includes('"UP"'),
        false,
        "the next did not run",
      );
      await assert.rejects(
        provider().create({ ...failing, commands: [["sleep", "10"]], timeout: 1 }),
        /commands\[0\] \("sleep" "10"\) did not end within 1 s and was stopped/,
      );
    });
  });
});
