import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nthAddress } from "../../../../src/iproute/address.js";
import { starMermaid } from "../../../../src/program/components/star-lab.js";

describe("StarLab planning", () => {
  it("gives the hub end the first address of a subnet and the spoke end the second", () => {
    assert.equal(nthAddress("10.3.7.0/24", 1), "10.3.7.1/24");
    assert.equal(nthAddress("10.3.7.0/24", 2), "10.3.7.2/24");
    assert.equal(nthAddress("fd00:7::/64", 2), "fd00:7::2/64");
    assert.throws(() => nthAddress("10.3.7.0/31", 2), /no room for address number 2/);
  });

  it("draws the topology as a Mermaid flowchart", () => {
    const text = starMermaid("hub", [
      { netns: "left", hubDevice: "h0", spokeDevice: "s0", hubAddress: "10.4.1.1/24", spokeAddress: "10.4.1.2/24" },
      { netns: "right", hubDevice: "h1", spokeDevice: "s1", hubAddress: "10.4.2.1/24", spokeAddress: "10.4.2.2/24" },
    ]);
    assert.equal(
      text,
      [
        "flowchart LR",
        '  hub["hub: hub<br/>net.ipv4.ip_forward=1"]',
        '  s0["left"]',
        '  hub ---|"h0 10.4.1.1/24 — s0 10.4.1.2/24"| s0',
        '  s1["right"]',
        '  hub ---|"h1 10.4.2.1/24 — s1 10.4.2.2/24"| s1',
        "",
      ].join("\n"),
    );
    assert.match(starMermaid(undefined, []), /host \(root namespace\)/);
  });
});
