/**
 * The `netns` package's schema held against the code it is written from (build/schema.ts), and
 * the native front door's own parts: a resource's owner and kind from its URN, secrets unwrapped,
 * the import ids the kinds take.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { schemaText } from "../../../build/schema.js";
import { importId, interfaceName, netnsName } from "../../../provider/commands/names.js";
import { importable, kindOfUrn, ownerOfUrn, unwrapped } from "../../../provider/native/provider.js";
import { componentNames, kindNames, kindOf, packageToken } from "../../../provider/registry.js";

const repoRoot = path.resolve(__dirname, "../../../..");

describe("the package's schema", () => {
  it("is what the kinds' rules and TSDoc say now (npm run schema writes it)", async () => {
    const committed = readFileSync(path.join(repoRoot, "plugin/schema.json"), "utf8");
    assert.equal(committed, await schemaText(), "plugin/schema.json is stale: run `npm run schema`");
  });

  it("has every kind and component, every kind with host and no owner, and a description for every input", async () => {
    const schema = JSON.parse(await schemaText());
    assert.deepEqual(Object.keys(schema.resources), [...kindNames, ...componentNames].map(packageToken));
    for (const component of componentNames) assert.equal(schema.resources[packageToken(component)].isComponent, true);
    for (const [token, resource] of Object.entries<Record<string, Record<string, { description?: string }>>>(
      schema.resources,
    ).filter(([token]) => kindNames.map(packageToken).includes(token))) {
      const inputs = resource.inputProperties ?? {};
      assert.ok("host" in inputs, `${token} takes host`);
      assert.ok(!("owner" in inputs), `${token} leaves owner to the provider`);
      for (const [name, input] of Object.entries(inputs)) assert.ok(input.description, `${token}.${name} is described`);
    }
  });

  it("says what replaces and what defaults, as the rules do", async () => {
    const veth = JSON.parse(await schemaText()).resources["netns:index:VethPair"];
    assert.equal(veth.inputProperties.name.replaceOnChanges, true);
    assert.equal(veth.inputProperties.up.replaceOnChanges, undefined);
    assert.equal(veth.inputProperties.up.default, true);
    assert.deepEqual(veth.requiredInputs, ["name", "peerName"]);
    assert.ok(veth.required.includes("ifindex") && !veth.required.includes("netns"));
  });
});

describe("the native front door", () => {
  it("gives a resource the owner the TypeScript program half gives it", () => {
    assert.equal(ownerOfUrn("urn:pulumi:dev::lab::netns:index:NetNamespace::ns0"), "lab/dev:ns0");
    // A child of a component: the parent's type is in the URN, not in the owner.
    assert.equal(ownerOfUrn("urn:pulumi:dev::lab::netns:index:Topology$netns:index:VethPair::a::b"), "lab/dev:a::b");
  });

  it("finds the kind from the URN's last type, and refuses another package's", () => {
    assert.equal(kindOfUrn("urn:pulumi:dev::lab::netns:index:VethPair::p"), "VethPair");
    assert.equal(kindOfUrn("urn:pulumi:dev::lab::my:Lab$netns:index:Route::r"), "Route");
    assert.throws(() => kindOfUrn("urn:pulumi:dev::lab::aws:s3:Bucket::b"), /no resource type aws:s3:Bucket/);
  });

  it("is known by either door's type to the sweep, which keeps what the state holds", () => {
    assert.equal(kindOf("netns:index:VethPair"), "VethPair");
    assert.equal(kindOf("pulumi-nodejs:dynamic/netns:VethPair"), "VethPair");
    assert.equal(kindOf("netns:index:Topology"), undefined, "a component makes nothing of its own");
  });

  it("unwraps secrets at any depth", () => {
    const secret = (value: unknown) => ({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value,
    });
    assert.deepEqual(unwrapped({ a: secret("x"), b: [secret({ c: secret(1) })] }), { a: "x", b: [{ c: 1 }] });
  });

  it("imports a namespace, a veth pair, an address, a route, a sysctl and a bridge", () => {
    assert.deepEqual(importable(), ["NetNamespace", "VethPair", "IpAddress", "Route", "Sysctl", "Bridge"]);
  });
});

describe("import ids", () => {
  it("take [NETNS/] before the name, and the kinds' own ids with an empty namespace", () => {
    assert.deepEqual(importId("veth11", "[NETNS/]NAME", [interfaceName]), { netns: undefined, rest: ["veth11"] });
    assert.deepEqual(importId("ns0/veth12", "[NETNS/]NAME", [interfaceName]), { netns: "ns0", rest: ["veth12"] });
    assert.deepEqual(importId("/veth11", "[NETNS/]NAME", [interfaceName]), { netns: undefined, rest: ["veth11"] });
    const any = (part: string) => part;
    assert.deepEqual(importId("ns0/veth12/10.1.10.2/24", "F", [interfaceName, any, any]), {
      netns: "ns0",
      rest: ["veth12", "10.1.10.2", "24"],
    });
  });

  it("refuse a bad name with the form and the rule", () => {
    assert.throws(
      () => importId("a/b/c", "[NETNS/]NAME", [interfaceName]),
      /must have the form \[NETNS\/\]NAME: may contain only/,
    );
    assert.throws(() => importId("-x", "NAME", [netnsName]), /must have the form NAME: must not start with "-"/);
    assert.throws(() => importId("../etc/x", "[NETNS/]NAME", [interfaceName]), /must have the form/);
  });
});
