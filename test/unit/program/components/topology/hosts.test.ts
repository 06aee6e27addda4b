import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planTopology } from "../../../../../provider/program/components/topology/plan.js";
import { lan, problems } from "../../../../support/topology-specs.js";

describe("Topology hosts files", () => {
  it("names every node in the hosts files when asked, at its first address of each family", () => {
    assert.deepEqual(planTopology(lan).hosts, [], "not unless asked");
    const hosts = planTopology({ ...lan, hosts: true }).hosts;
    assert.deepEqual(hosts.slice(0, 2), [
      { address: "10.20.0.1", names: ["r"] },
      { address: "fd00:20::1", names: ["r"] },
    ]);
    assert.equal(hosts.length, 10);
    assert.deepEqual(
      problems({
        ...lan,
        hosts: true,
        nodes: [...(lan.nodes ?? []).slice(0, 4), { name: "h_4" }],
        segments: [{ name: "lan1", members: ["r", "h1", "h2", "h3", "h_4"] }],
      }),
      [
        'nodes[4] "h_4" cannot be named in a hosts file (hosts: true): it must be a host name: labels of letters, digits and hyphens (not first or last), 1 to 63 long, between dots; "h_4" is not one',
      ],
    );
  });
});
