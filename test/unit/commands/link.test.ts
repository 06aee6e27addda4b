import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLinks } from "../../../provider/commands/link.js";
import { recorded } from "../../support/recorded.js";

describe("parseLinks, on what this kernel prints", () => {
  it("reads a namespace's links with their kind, mark, MTU, state, addresses and bridges", () => {
    const links = parseLinks(recorded("address-show-links-and-addresses").stdout);
    assert.deepEqual(
      links.map((l) => l.ifname),
      ["lo", "va", "br0", "pb", "pa", "vx0", "mv0"],
    );
    const [lo, va, br0, pb, pa, vx0, mv0] = links;
    assert.deepEqual(lo, {
      ifname: "lo",
      ifindex: 1,
      up: true,
      mtu: 65536,
      address: "00:00:00:00:00:00",
      alias: "pulumi-netns:rec/dev:a",
      kind: undefined,
      link: undefined,
      linkName: undefined,
      master: undefined,
      bridge: undefined,
      vxlan: undefined,
      macvlan: undefined,
      addresses: ["127.0.0.1/8", "::1/128"],
      nodad: [],
    });
    assert.equal(va?.kind, "veth");
    assert.equal(va?.mtu, 1400);
    assert.equal(va?.up, true);
    assert.equal(va?.alias, "pulumi-netns:rec/dev:link");
    assert.equal(va?.address, "02:00:00:00:00:0a");
    // Its IPv6 link-local address is the kernel's; ours are all there too.
    assert.deepEqual(va?.addresses.slice(0, 2), ["10.1.10.1/24", "fd00:10::1/64"]);
    assert.deepEqual([br0?.kind, br0?.up, br0?.alias, br0?.addresses], ["bridge", false, undefined, []]);
    assert.deepEqual(br0?.bridge, { stp: false, forwardDelay: 400 });
    assert.deepEqual([pa?.master, pb?.master, va?.bridge], ["br0", undefined, undefined]);
    assert.deepEqual(vx0?.vxlan, {
      vni: 42,
      local: "10.1.10.1",
      remote: "10.1.10.2",
      group: undefined,
      dstport: 4789,
      learning: false,
    });
    assert.deepEqual(
      [mv0?.kind, mv0?.macvlan, va?.vxlan, va?.macvlan],
      ["macvlan", { mode: "private" }, undefined, undefined],
    );
  });

  it("reads a new namespace: lo down and no address at all", () => {
    assert.deepEqual(parseLinks(recorded("address-show-new-namespace").stdout), [
      {
        ifname: "lo",
        ifindex: 1,
        up: false,
        mtu: 65536,
        address: "00:00:00:00:00:00",
        alias: undefined,
        kind: undefined,
        link: undefined,
        linkName: undefined,
        master: undefined,
        bridge: undefined,
        vxlan: undefined,
        macvlan: undefined,
        addresses: [],
        nodad: [],
      },
    ]);
  });

  it("reads a veth end whose peer is in another namespace", () => {
    const fixture = recorded("link-show-peer-in-another-namespace");
    assert.match(fixture.stdout, /"link_netnsid":0/, "the recording has the peer elsewhere");
    const [vb] = parseLinks(fixture.stdout);
    assert.deepEqual([vb?.ifname, vb?.kind, vb?.mtu, vb?.address], ["vb", "veth", 1400, "02:00:00:00:00:0b"]);
    assert.equal(vb?.link, 3, "its peer's index, in the peer's namespace");
  });

  it("takes empty output and `null` (older iproute2) as no links", () => {
    assert.deepEqual(parseLinks(""), []);
    assert.deepEqual(parseLinks("null\n"), []);
  });

  it("refuses output it does not understand, quoting it", () => {
    assert.throws(() => parseLinks('{"ifname":"lo"}'), /unexpected output of 'ip -json link show'/);
    assert.throws(() => parseLinks("[{}]"), /unexpected entry/);
  });
});
