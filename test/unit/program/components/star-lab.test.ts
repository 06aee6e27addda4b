import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { nthAddress } from "../../../../provider/commands/address.js";
import { StarLab, starMermaid } from "../../../../provider/program/components/star-lab.js";

/** What the program registered, by resource name: its type's last part and its inputs. */
const registered = new Map<string, { kind: string; inputs: Record<string, unknown> }>();
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.set(args.name, { kind: args.type.split(":").pop() as string, inputs: args.inputs });
      return { id: args.name, state: args.inputs };
    },
    call: () => ({}),
  },
  "project",
  "stack",
  false,
);

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

  it("builds a star of IPv6 spokes as the IPv4 ones: the hub first, a default route through it", async () => {
    const star = new StarLab("six", {
      hubNetns: "hub6",
      spokes: [
        { name: "left", subnet: "fd00:7::/64" },
        { name: "right", subnet: "fd00:8::/64" },
      ],
    });
    const spokes = await new Promise<unknown>((resolve) => star.spokes.apply(resolve));
    assert.deepEqual(
      (spokes as Array<{ spokeAddress: string }>).map((s) => s.spokeAddress),
      ["fd00:7::2/64", "fd00:8::2/64"],
    );
    // The hub's addresses and forwarding are one resource, a spoke's address and route another.
    const { __provider: _, ...hub } = registered.get("six-hub-config")?.inputs ?? {};
    assert.deepEqual(hub, {
      netns: "hub6",
      addresses: { "fd00:7::1/64": "h0", "fd00:8::1/64": "h1" },
      routes: {},
      sysctls: { "net.ipv6.conf.all.forwarding": "1" },
      nodad: true,
      owner: "project/stack:six-hub-config",
    });
    assert.deepEqual(registered.get("six-left-config")?.inputs.routes, { "::/0": { via: "fd00:7::1", device: "s0" } });
    assert.deepEqual(
      [...registered.values()].map((r) => r.kind).sort(),
      [
        ...Array(3).fill("NetNamespace"),
        ...Array(3).fill("NetnsConfig"),
        ...Array(2).fill("VethPair"),
        "StarLab",
      ].sort(),
      "a few resources per node and one per link",
    );
  });
});
