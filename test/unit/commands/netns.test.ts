/** `ip netns` argv (commands/netns.ts): each word its own argument, the name never split. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { netnsAdd, netnsDelete, netnsExec, netnsIdentify } from "../../../provider/commands/netns.js";

describe("ip netns", () => {
  it("adds, deletes, runs in and identifies, as `ip netns` spells them", () => {
    assert.deepEqual(netnsAdd("ns0"), ["netns", "add", "ns0"]);
    assert.deepEqual(netnsDelete("ns0"), ["netns", "delete", "ns0"]);
    assert.deepEqual(netnsExec("ns0", ["cat", "/proc/sys/net/ipv4/ip_forward"]), [
      "netns",
      "exec",
      "ns0",
      "cat",
      "/proc/sys/net/ipv4/ip_forward",
    ]);
    assert.deepEqual(netnsIdentify(4242), ["netns", "identify", "4242"]);
  });
});
