import t from "tap";
import { apiGet, TRACKER_FIELDS_PARAM } from "./loopback-client";
import { startSimulator } from "./server";

t.test("a million ids per platform fit in memory and answer 100-id requests fast", async (t) => {
  const before = process.memoryUsage();
  const started = Date.now();
  const running = await startSimulator({ idsPerPlatform: 1_000_000, rateLimit: false });
  t.teardown(() => running.close());
  const builtMs = Date.now() - started;
  const after = process.memoryUsage();
  const grownBytes = after.arrayBuffers - before.arrayBuffers + after.heapUsed - before.heapUsed;
  const grownMb = grownBytes / 2 ** 20;
  t.ok(grownMb < 300, `population uses ${grownMb.toFixed(0)} MB`);
  t.ok(builtMs < 10_000, `built in ${builtMs} ms`);

  const batches = 50;
  const timer = Date.now();
  for (let batch = 0; batch < batches; batch++) {
    const first = 1_073_740_000 + batch * 20_000;
    const ids = Array.from({ length: 100 }, (_, i) => first + i).join(",");
    const answer = (await apiGet(running.url, "/wotx/account/info/", {
      application_id: "demo-key",
      account_id: ids,
      fields: TRACKER_FIELDS_PARAM,
    })) as { meta: { count: number } };
    t.equal(answer.meta.count, 100);
  }
  const perRequestMs = (Date.now() - timer) / batches;
  t.ok(perRequestMs < 50, `${perRequestMs.toFixed(1)} ms per 100-id request over loopback`);

  const dayStarted = Date.now();
  running.sim.advanceDay();
  t.ok(Date.now() - dayStarted < 10_000, `day advanced in ${Date.now() - dayStarted} ms`);
});
