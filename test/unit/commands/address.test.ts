import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cidr, hostBitsSet, networkOf, parseCidr, parseIp } from "../../../provider/commands/address.js";
import { isProblem } from "../../../provider/rule.js";

describe("parseCidr", () => {
  const normalised: Array<[string, string]> = [
    ["10.1.10.2/24", "10.1.10.2/24"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["FD00:0:0:0:0:0:0:02/64", "fd00::2/64"],
    ["2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001/64", "2001:db8::1/64"],
    ["1:0:0:2:0:0:0:3/64", "1:0:0:2::3/64"],
    ["1:2:3:4:5:6:7::/64", "1:2:3:4:5:6:7:0/64"],
    ["::/0", "::/0"],
    ["::ffff:10.0.0.1/128", "::ffff:10.0.0.1/128"],
    ["64:ff9b::10.0.0.1/96", "64:ff9b::a00:1/96"],
  ];
  for (const [text, want] of normalised) {
    it(`normalises ${text} to ${want}`, () => {
      const parsed = parseCidr(text);
      assert.ok(!isProblem(parsed), JSON.stringify(parsed));
      assert.equal(`${parsed.address}/${parsed.prefixLength}`, want);
      assert.equal(cidr(text), want, "the rule gives the same spelling");
    });
  }

  const refused: Array<[string, RegExp]> = [
    ["10.1.10.300/24", /not a valid IPv4 address/],
    ["10.1.10.2/33", /prefix length from 0 to 32/],
    ["fd00::1/129", /prefix length from 0 to 128/],
    ["10.1.10.2/64", /prefix length from 0 to 32 for an IPv4 address/],
    ["10.1.10.2", /CIDR notation/],
    ["010.1.10.2/24", /not a valid IPv4 address/],
    ["1::2::3/64", /not a valid IPv6 address/],
    ["fd00:::1/64", /not a valid IPv6 address/],
    ["1:2:3:4:5:6:7:8:9/64", /not a valid IPv6 address/],
    ["12345::/64", /not a valid IPv6 address/],
    ["10.1.10.2/-1", /prefix length/],
    ["10.1.10.2/", /prefix length/],
    ["host.example/24", /not an IPv4 or IPv6 address/],
  ];
  for (const [text, why] of refused) {
    it(`refuses ${text}`, () => {
      const parsed = parseCidr(text);
      assert.ok(isProblem(parsed));
      assert.match(parsed.problem, why);
      assert.deepEqual(cidr(text), parsed, "the rule gives the same problem");
    });
  }
});

describe("prefix arithmetic", () => {
  it("finds host bits and the network", () => {
    const host = parseCidr("10.1.20.5/24");
    assert.ok(!isProblem(host));
    assert.equal(hostBitsSet(host), true);
    assert.equal(networkOf(host), "10.1.20.0/24");
    const net = parseCidr("fd00:20::/64");
    assert.ok(!isProblem(net));
    assert.equal(hostBitsSet(net), false);
    const v6host = parseCidr("fd00:20::1/64");
    assert.ok(!isProblem(v6host));
    assert.equal(networkOf(v6host), "fd00:20::/64");
  });

  it("parses bare addresses for gateways", () => {
    assert.deepEqual(parseIp("10.1.10.1"), { family: 4, address: "10.1.10.1" });
    assert.deepEqual(parseIp("FD00::1"), { family: 6, address: "fd00::1" });
  });
});
