/**
 * Route against the real kernel, in a namespace of the test's own with a veth end that has an
 * address (so gateways on its subnet are reachable).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import RouteProvider, { type RouteInputs } from "../../provider/kinds/route.js";
import { ip, realMachine, routes, withNamespaces } from "../support/kernel.js";

const provider = new RouteProvider(realMachine());

async function withSubnet(body: (netns: string) => Promise<void>): Promise<void> {
  await withNamespaces(1, async ([netns]) => {
    const n = netns as string;
    ip("-n", n, "link", "add", "v1", "type", "veth", "peer", "name", "v2");
    ip("-n", n, "link", "set", "dev", "v1", "up");
    ip("-n", n, "link", "set", "dev", "v2", "up");
    ip("-n", n, "address", "add", "10.1.10.2/24", "dev", "v1");
    ip("-n", n, "address", "add", "fd00:10::2/64", "dev", "v1", "nodad");
    await body(n);
  });
}

async function create(inputs: Record<string, unknown>) {
  const checked = await provider.check({}, inputs);
  assert.equal(checked.failures, undefined);
  return (await provider.create(checked.inputs as RouteInputs)).outs;
}

describe("Route on the kernel", () => {
  it("adds a route via a gateway, reads it, deletes it, and deletes again", async () => {
    await withSubnet(async (netns) => {
      const outs = await create({ destination: "10.1.20.0/24", via: "10.1.10.1", netns });
      assert.deepEqual(routes(netns, "10.1.20.0/24"), [
        { dst: "10.1.20.0/24", gateway: "10.1.10.1", dev: "v1", flags: [] },
      ]);
      assert.deepEqual((await provider.read("id", outs)).props, outs, "the kernel's choice of device is not drift");
      await provider.delete("id", outs);
      assert.deepEqual(routes(netns, "10.1.20.0/24"), []);
      assert.deepEqual(await provider.read("id", outs), {});
      await provider.delete("id", outs);
    });
  });

  it("handles default routes, IPv6, metrics and tables", async () => {
    await withSubnet(async (netns) => {
      const v4 = await create({ destination: "default", via: "10.1.10.1", netns, metric: 50 });
      const v6 = await create({ destination: "fd00:20::/64", via: "fd00:10::1", device: "v1", netns });
      const table = await create({ destination: "10.1.30.0/24", device: "v1", netns, table: 100 });
      assert.equal(routes(netns, "default")[0]?.metric, 50);
      assert.equal(JSON.parse(ip("-n", netns, "-6", "-json", "route", "show", "fd00:20::/64"))[0]?.metric, 1024);
      assert.equal(JSON.parse(ip("-n", netns, "-json", "route", "show", "table", "100"))[0]?.dst, "10.1.30.0/24");
      for (const outs of [v4, v6, table]) {
        assert.equal((await provider.read("id", outs)).id, "id", `reads ${outs.destination}`);
        await provider.delete("id", outs);
        assert.deepEqual(await provider.read("id", outs), {}, `deleted ${outs.destination}`);
      }
    });
  });

  it("changes the gateway in place with ip route replace", async () => {
    await withSubnet(async (netns) => {
      const olds = await create({ destination: "10.1.20.0/24", via: "10.1.10.1", netns });
      const news = { ...olds, via: "10.1.10.254" };
      const diff = await provider.diff("id", olds, news);
      assert.deepEqual(diff.replaces, []);
      assert.equal(diff.changes, true);
      await provider.update("id", olds, news);
      assert.deepEqual(
        routes(netns, "10.1.20.0/24").map((r) => r.gateway),
        ["10.1.10.254"],
      );
    });
  });

  it("reads a gateway changed out of band as drift, and a removed route as gone", async () => {
    await withSubnet(async (netns) => {
      const outs = await create({ destination: "10.1.20.0/24", via: "10.1.10.1", netns });
      ip("-n", netns, "route", "replace", "10.1.20.0/24", "via", "10.1.10.9");
      assert.equal((await new RouteProvider(realMachine()).read("id", outs)).props?.via, "10.1.10.9");
      ip("-n", netns, "route", "delete", "10.1.20.0/24");
      assert.deepEqual(await new RouteProvider(realMachine()).read("id", outs), {});
    });
  });

  it("refuses a route that is already there and leaves it", async () => {
    await withSubnet(async (netns) => {
      ip("-n", netns, "route", "add", "10.1.20.0/24", "via", "10.1.10.1");
      await assert.rejects(create({ destination: "10.1.20.0/24", via: "10.1.10.5", netns }), (e: Error) => {
        assert.match(e.message, /already exists and this stack did not create it/);
        const remove = `ip -n ${netns} -4 route delete 10.1.20.0/24 metric 0 table 254`;
        assert.ok(e.message.includes(`Remove it yourself (${remove})`), e.message);
        return true;
      });
      assert.deepEqual(
        routes(netns, "10.1.20.0/24").map((r) => r.gateway),
        ["10.1.10.1"],
      );
    });
  });

  it("says the gateway is unreachable in the kernel's words, and which address it needs first", async () => {
    await withSubnet(async (netns) => {
      await assert.rejects(create({ destination: "10.1.20.0/24", via: "192.0.2.1", netns }), (e: Error) => {
        assert.match(e.message, /route add 10\.1\.20\.0\/24 via 192\.0\.2\.1/);
        assert.match(e.message, /Nexthop has invalid gateway|Network is unreachable/);
        // And what to do about it, in the lab's terms.
        assert.match(
          e.message,
          /The gateway 192\.0\.2\.1 is on no subnet of namespace "[^"]+": a device there needs an address/,
        );
        return true;
      });
    });
  });
});
