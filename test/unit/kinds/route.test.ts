import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNKNOWN } from "../../../provider/kinds/base/inputs.js";
import RouteProvider from "../../../provider/kinds/route.js";
import { FakeSystem, failure, fakeMachine } from "../../support/fake-system.js";
import { replaying } from "../../support/recorded.js";

describe("Route check", () => {
  const provider = new RouteProvider(fakeMachine());

  it("normalises destination and gateway", async () => {
    assert.deepEqual(
      (await provider.check({}, { destination: "FD00:20::/64", via: "FD00:10::1", netns: "a" })).inputs,
      {
        destination: "fd00:20::/64",
        via: "fd00:10::1",
        netns: "a",
      },
    );
  });

  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ destination: "10.1.20.5/24" }, "destination", /host bits set; the network is 10\.1\.20\.0\/24/],
    [{ destination: "10.1.20.0" }, "destination", /CIDR notation/],
    [{ destination: "everywhere" }, "destination", /or be "default"/],
    [{ via: "fd00::1" }, "via", /must be an IPv4 address like the destination/],
    [{ via: "10.1.10.1/24" }, "via", /without a prefix length/],
    [{ via: undefined, device: undefined }, "via", /needs a gateway \(via\), a device, or both/],
    [{ metric: -1 }, "metric", /from 0 to 4294967295, got -1/],
    [{ metric: 2 ** 32 }, "metric", /from 0 to 4294967295/],
    [{ table: 0 }, "table", /from 1 to 4294967295/],
    [{ table: "main" }, "table", /whole number.*got "main"/],
    [{ device: "a b" }, "device", /only ASCII letters/],
  ];
  for (const [override, property, why] of bad) {
    it(`refuses ${JSON.stringify(override)}`, async () => {
      const result = await provider.check({}, { destination: "10.1.20.0/24", via: "10.1.10.1", ...override });
      assert.equal(result.failures?.[0]?.property, property);
      assert.match(result.failures?.[0]?.reason ?? "", why);
    });
  }

  it("lets a gateway not known yet through", async () => {
    assert.equal((await provider.check({}, { destination: "10.1.20.0/24", via: UNKNOWN })).failures, undefined);
  });
});

describe("Route diff, create, read, update, delete", () => {
  const provider = new RouteProvider(fakeMachine());
  const olds = { destination: "10.1.20.0/24", via: "10.1.10.1", netns: "a" };

  it("changes gateway and device in place, replaces the rest", async () => {
    assert.deepEqual(await provider.diff("id", olds, { ...olds, via: "10.1.10.2" }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
    assert.deepEqual((await provider.diff("id", olds, { ...olds, metric: 5 })).replaces, ["metric"]);
    assert.deepEqual((await provider.diff("id", olds, { ...olds, destination: "10.1.30.0/24" })).replaces, [
      "destination",
    ]);
  });

  it("replaces a default route whose gateway changes family", async () => {
    const d = { destination: "default", via: "10.1.10.1" };
    assert.deepEqual((await provider.diff("id", d, { ...d, via: "fd00::1" })).replaces, ["via"]);
  });

  it("names family, metric and table explicitly in every command", async () => {
    const runner = new FakeSystem();
    const p = new RouteProvider(runner.machine);
    await p.create(olds);
    await p.update("id", olds, { ...olds, via: "10.1.10.9" });
    await p.delete("id", olds);
    await p.create({ destination: "fd00:20::/64", device: "v1" });
    assert.deepEqual(runner.commands, [
      "ip -n a -4 route add 10.1.20.0/24 via 10.1.10.1 metric 0 table 254",
      "ip -n a -4 route replace 10.1.20.0/24 via 10.1.10.9 metric 0 table 254",
      "ip -n a -4 route delete 10.1.20.0/24 metric 0 table 254",
      "ip -6 route add fd00:20::/64 dev v1 metric 1024 table 254",
    ]);
  });

  it("reads the route with the same metric, and only the declared properties", async () => {
    const stdout = JSON.stringify([
      { dst: "10.1.20.0/24", gateway: "10.1.10.7", dev: "v1", metric: 5 },
      { dst: "10.1.0.0/16", gateway: "10.1.10.8", dev: "v1" },
      { dst: "10.1.20.0/24", gateway: "10.1.10.1", dev: "v1" },
      { dst: "10.1.30.1", gateway: "10.1.10.9", dev: "v1" },
    ]);
    const runner = new FakeSystem(() => ({ stdout }));
    const provider = new RouteProvider(runner.machine);
    assert.deepEqual((await provider.read("id", olds)).props, olds);
    assert.deepEqual(await provider.read("id", { ...olds, metric: 9 }), {});
    // `ip` prints a host route without /32; it is still the route to 10.1.30.1/32.
    const host = { ...olds, destination: "10.1.30.1/32", via: "10.1.10.9" };
    assert.deepEqual((await provider.read("id", host)).props, host);
    assert.deepEqual(await provider.read("id", { ...olds, destination: "10.1.30.0/24" }), {});
    assert.deepEqual(runner.commands, ["ip -n a -4 -json route show table 254"], "one table read for all four");
  });

  it("deletes a route already gone without complaint", async () => {
    await new RouteProvider(fakeMachine(() => failure("RTNETLINK answers: No such process", 2))).delete("id", olds);
  });
});

describe("Route read, on what this kernel answered", () => {
  const props = { destination: "10.1.40.0/24", via: "10.1.10.1", netns: "b", table: 100 };

  it("reads a route of another table", async () => {
    const result = await new RouteProvider(replaying("route-show-table-100").machine).read("id", props);
    assert.equal(result.props?.via, "10.1.10.1");
  });

  it("reports a route gone when its table was never made in the namespace (a namespace made anew)", async () => {
    assert.deepEqual(await new RouteProvider(replaying("route-show-table-never-made").machine).read("id", props), {});
  });

  it("reports a route gone when its namespace is gone", async () => {
    assert.deepEqual(
      await new RouteProvider(replaying("address-show-missing-namespace").machine).read("id", props),
      {},
    );
  });
});
