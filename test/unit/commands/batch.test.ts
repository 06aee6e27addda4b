import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { batchFailures, batchText } from "../../../provider/commands/batch.js";

describe("ip -batch", () => {
  it("writes one line per command, and refuses a word ip would read otherwise", () => {
    assert.equal(
      batchText([
        ["address", "add", "10.1.10.2/24", "dev", "v1"],
        ["route", "add", "0.0.0.0/0", "via", "10.1.10.1"],
      ]),
      "address add 10.1.10.2/24 dev v1\nroute add 0.0.0.0/0 via 10.1.10.1\n",
    );
    for (const word of ["a b", "x#y", "'q'", '"q"', "back\\slash", "", "new\nline"]) {
      assert.throws(() => batchText([["link", "show", word]]), /cannot be written in an ip batch line/, word);
    }
  });

  it("tells each failed line by its number, with what ip said for it (as `ip -force -batch -` prints it)", () => {
    // Printed by iproute2 6.1 for a batch whose lines 2, 4 and 7 failed.
    const stderr = [
      "Error: ipv4: Address already assigned.",
      "Command failed -:2",
      'Cannot find device "nope"',
      "Command failed -:4",
      "RTNETLINK answers: No such process",
      "Command failed -:7",
      "",
    ].join("\n");
    assert.deepEqual(
      [...batchFailures(stderr)],
      [
        [2, "Error: ipv4: Address already assigned."],
        [4, 'Cannot find device "nope"'],
        [7, "RTNETLINK answers: No such process"],
      ],
    );
    assert.deepEqual([...batchFailures("")], []);
  });
});
