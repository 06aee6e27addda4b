/** The naming rules (commands/names.ts): table tests, input to the name or the problem with it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { interfaceName, netnsName, sysctlKey, sysctlValue } from "../../../provider/commands/names.js";
import { isProblem, type Problem, type Rule } from "../../../provider/rule.js";

/** What a rule gives each input: the value, or `problem: …`. */
function outcomes<T>(rule: Rule<string, T>, inputs: readonly string[]): Array<T | string> {
  return inputs.map((input) => {
    const out = rule(input);
    return isProblem(out) ? `problem: ${(out as Problem).problem}` : out;
  });
}

describe("namespace names", () => {
  it("takes what ip netns takes, less what would read as an option or a path", () => {
    assert.deepEqual(outcomes(netnsName, ["ns0", "lab.a-1_b", "", "..", "-n", "a/b", "a b", "x".repeat(256)]), [
      "ns0",
      "lab.a-1_b",
      "problem: must not be empty",
      'problem: must not be "." or ".." (it names a directory, not a namespace)',
      'problem: must not start with "-" (ip would read it as an option)',
      "problem: may contain only ASCII letters, digits, '_', '.' and '-'",
      "problem: may contain only ASCII letters, digits, '_', '.' and '-'",
      "problem: must be at most 255 bytes (iproute2's limit), not 256",
    ]);
  });
});

describe("interface names", () => {
  it("takes 1 to 15 bytes the kernel accepts, refusing a leading '-' or '.', '%', ':' and '/'", () => {
    const results = outcomes(interfaceName, ["veth11", "a".repeat(15), "a".repeat(16), "-x", ".x", "eth%d", "a:b"]);
    assert.deepEqual(results.slice(0, 2), ["veth11", "a".repeat(15)]);
    assert.equal(results[2], "problem: must be at most 15 bytes (the kernel's IFNAMSIZ), not 16");
    assert.equal(results[3], 'problem: must not start with "-" (ip would read it as an option)');
    assert.equal(results[4], 'problem: must not start with "." ("." and ".." are not interface names)');
    for (const r of results.slice(5)) assert.match(String(r), /no '\/', ':', '%' or white space/);
  });
});

describe("sysctl keys and values", () => {
  it("takes dotted keys that stay inside /proc/sys", () => {
    const results = outcomes(sysctlKey, ["net.ipv4.ip_forward", "net.ipv6.conf.veth-1.forwarding", "net", "net..x"]);
    assert.deepEqual(results.slice(0, 2), ["net.ipv4.ip_forward", "net.ipv6.conf.veth-1.forwarding"]);
    assert.match(String(results[2]), /at least two dot-separated segments/);
    assert.match(String(results[3]), /no leading, trailing or doubled '\.'/);
    assert.match(String(outcomes(sysctlKey, ["net/../../etc"])[0]), /no '\/'/);
  });

  it("takes one line of value, its white space folded", () => {
    assert.deepEqual(outcomes(sysctlValue, ["1", "4096\t131072  6291456", "", "1\n0"]), [
      "1",
      "4096 131072 6291456",
      "problem: must not be empty",
      "problem: must be one line (no newline, carriage return or NUL)",
    ]);
  });
});
