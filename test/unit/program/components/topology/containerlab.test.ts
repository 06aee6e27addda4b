import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromContainerlab, shellWords } from "../../../../../provider/program/components/topology/containerlab.js";
import { planTopology } from "../../../../../provider/program/components/topology/plan.js";

/** A containerlab file as people write them: both link forms, a bridge, NOS images, exec, a host endpoint. */
const file = `
name: dc1
prefix: lab
mgmt:
  network: clab-mgmt
  ipv4-subnet: 172.20.20.0/24
topology:
  groups:
    leaves: { kind: nokia_srlinux }
  kinds:
    nokia_srlinux:
      image: ghcr.io/nokia/srlinux
      type: ixrd3
  nodes:
    leaf1: { kind: nokia_srlinux, startup-config: leaf1.cfg }
    leaf2: { kind: nokia_srlinux }
    spine: { kind: vr-sros, image: vr-sros:23.7 }
    pc1:
      kind: linux
      image: alpine
      exec:
        - ip link set dev eth1 mtu 9000
        - "sh -c 'echo hi > /tmp/x'"
        - echo one; echo two
    pc2: { kind: linux }
    br-lan: { kind: bridge }
  links:
    - endpoints: ["leaf1:e1-49", "spine:eth1"]
    - endpoints: ["leaf1:e1-50", "spine:eth2"]
    - type: veth
      endpoints: [{ node: leaf2, interface: ethernet-1/49 }, { node: spine, interface: eth3 }]
    - endpoints: ["leaf1:e1-1", "br-lan:eth1"]
    - endpoints: ["pc1:eth1", "br-lan:eth2"]
    - endpoints: ["pc2:eth1", "leaf2:e1-1"]
    - endpoints: ["pc2:eth2", "host:pc2-eth2"]
    - type: macvlan
      endpoint: { node: pc2, interface: eth3 }
      host-interface: eno1
`;

describe("containerlab files", () => {
  it("become a Topology's declaration: nodes, links with their interface names, a bridge as a segment, exec as argv", () => {
    const lab = fromContainerlab(file, { pools: { ipv4: "10.70.0.0/16" } });
    assert.equal(lab.name, "dc1");
    assert.deepEqual(lab.spec, {
      prefix: "dc1-",
      pools: { ipv4: "10.70.0.0/16" },
      nodes: [
        { name: "leaf1", router: true },
        { name: "leaf2", router: true },
        { name: "spine", router: true },
        {
          name: "pc1",
          exec: [
            ["ip", "link", "set", "dev", "eth1", "mtu", "9000"],
            ["sh", "-c", "echo hi > /tmp/x"],
          ],
        },
        { name: "pc2" },
      ],
      links: [
        { between: ["leaf1", "spine"], devices: ["e1-49", "eth1"] },
        { between: ["leaf1", "spine"], devices: ["e1-50", "eth2"] },
        { between: ["leaf2", "spine"] },
        { between: ["pc2", "leaf2"], devices: ["eth1", "e1-1"] },
      ],
      segments: [{ name: "br-lan", members: ["leaf1", "pc1"], devices: { leaf1: "e1-1", pc1: "eth1" } }],
    });
    // What it gives is a lab the planner takes: two links between leaf1 and spine, each its own.
    const plan = planTopology(lab.spec);
    assert.deepEqual(
      plan.links.map((l) => l.network),
      ["leaf1--spine", "leaf1--spine-2", "leaf2--spine", "pc2--leaf2"],
    );
  });

  it("says each thing that does not map once, in the file's own terms", () => {
    assert.deepEqual(fromContainerlab(file, { pools: { ipv4: "10.70.0.0/16" } }).unmapped, [
      "prefix has no counterpart here and is left out",
      "topology.groups has no counterpart here and is left out",
      "nodes.leaf1: image ghcr.io/nokia/srlinux is not run: the node is a namespace",
      "nodes.leaf1.startup-config has no counterpart here and is left out",
      "topology.kinds.nokia_srlinux.type has no counterpart here and is left out",
      "nodes.leaf2: image ghcr.io/nokia/srlinux is not run: the node is a namespace",
      "nodes.spine: image vr-sros:23.7 is not run: the node is a namespace",
      "nodes.spine: kind vr-sros needs a VM: the node is a namespace",
      "nodes.pc1: image alpine is not run: the node is a namespace",
      'nodes.pc1.exec[2] ("echo one; echo two") needs a shell (pipes, redirections, variables, globs or ;) and is not run',
      "links[2]: leaf2:ethernet-1/49 is no Linux interface name; the interface is named after the far end",
      "nodes.br-lan: its ports are named after their members, not as the links name them",
      "links[6]: an endpoint on host (host:pc2-eth2) has no counterpart here; the link is left out",
      "links[7]: a link of type macvlan is left out (only veth links map)",
      'mgmt: the management network is left out (ask for it as a segment with mgmt: "segment")',
    ]);
  });

  it("makes the management network a segment of every node, and takes the routers and checks given", () => {
    const lab = fromContainerlab(file, {
      pools: { ipv4: "10.70.0.0/16" },
      mgmt: "segment",
      routers: ["spine"],
      checks: "all-pairs",
      prefix: "x-",
    });
    assert.deepEqual(lab.spec.segments?.at(-1), { name: "mgmt", members: ["leaf1", "leaf2", "spine", "pc1", "pc2"] });
    assert.deepEqual(
      lab.spec.nodes.filter((n) => n.router).map((n) => n.name),
      ["spine"],
    );
    assert.equal(lab.spec.checks, "all-pairs");
    assert.equal(lab.spec.prefix, "x-");
  });

  it("refuses what is no containerlab file, naming what is missing", () => {
    assert.throws(() => fromContainerlab("topology: {}", { pools: {} }), /`name` must be the lab's name/);
    assert.throws(() => fromContainerlab("name: x\ntopology: {}", { pools: {} }), /`topology.nodes` must name/);
  });

  it("splits a command line into words as a shell would, and refuses what needs one", () => {
    assert.deepEqual(shellWords(`ip addr add 10.0.0.1/24 dev "eth 1" 'a b' c\\ d ""`), [
      "ip",
      "addr",
      "add",
      "10.0.0.1/24",
      "dev",
      "eth 1",
      "a b",
      "c d",
      "",
    ]);
    for (const line of ["a | b", "a > f", "echo $HOME", "echo `id`", "ls *", 'echo "$x"', "a && b", "(a)", "'open"]) {
      assert.equal(shellWords(line), undefined, line);
    }
  });
});
