/** Sysctl paths and values (commands/sysctl.ts). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normaliseSysctlValue, sysctlPath } from "../../../provider/commands/sysctl.js";

describe("sysctls through /proc/sys", () => {
  it("turns a key into its file", () => {
    assert.equal(sysctlPath("net.ipv4.ip_forward"), "/proc/sys/net/ipv4/ip_forward");
    assert.equal(sysctlPath("net.ipv6.conf.all.forwarding"), "/proc/sys/net/ipv6/conf/all/forwarding");
  });

  it("compares values by their words, as the kernel prints them with tabs and a newline", () => {
    assert.equal(normaliseSysctlValue("4096\t131072\t6291456\n"), "4096 131072 6291456");
    assert.equal(normaliseSysctlValue(" 1\n"), "1");
  });
});
