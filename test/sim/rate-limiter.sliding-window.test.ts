import { setTimeout as delay } from "node:timers/promises";
import t from "tap";
import { fixtureJson } from "./fixture-files";
import { apiGet, simGet, simPost } from "./loopback-client";
import { RateLimiter } from "./rate-limiter";
import { startSimulator } from "./server";
import { SlidingWindow } from "./sliding-window";
import type { TrafficSnapshot } from "./traffic-stats";

t.test("a window lets N requests through at once and the next only 1000 ms later", async (t) => {
  const limiter = new RateLimiter();
  const key = { applicationId: "k", kind: "server" as const, requestsPerSecond: 3 };
  t.same([0, 0, 0, 0].map(() => limiter.admit(key, "ip", 100, true)), [true, true, true, false]);
  t.equal(limiter.admit(key, "ip", 1099, true), false);
  t.equal(limiter.admit(key, "ip", 1100, true), true);
  t.equal(limiter.maxInAnyWindow("k"), 3);
});

t.test("requests spread over a window are counted together", async (t) => {
  const window = new SlidingWindow();
  for (const at of [0, 300, 600, 900]) window.add(at);
  t.equal(window.countAt(999), 4);
  t.equal(window.countAt(1000), 3);
  t.equal(window.maxInWindow, 4);
});

t.test("a server key has one budget whatever the IP; a standalone key one per IP", async (t) => {
  const limiter = new RateLimiter();
  const server = { applicationId: "s", kind: "server" as const, requestsPerSecond: 2 };
  const standalone = { applicationId: "a", kind: "standalone" as const, requestsPerSecond: 2 };
  const serverAnswers = ["ip1", "ip2", "ip3"].map((ip) => limiter.admit(server, ip, 0, true));
  t.same(serverAnswers, [true, true, false]);
  const ips = ["ip1", "ip1", "ip1", "ip2", "ip2"];
  const perIp = ips.map((ip) => limiter.admit(standalone, ip, 0, true));
  t.same(perIp, [true, true, false, true, true]);
});

type Envelope = { status: string; error?: { message: string } };

t.test("budgets over HTTP", async (t) => {
  const running = await startSimulator({
    idsPerPlatform: 1000,
    keys: [
      { applicationId: "server-5", kind: "server", requestsPerSecond: 5 },
      { applicationId: "standalone-5", kind: "standalone", requestsPerSecond: 5 },
    ],
  });
  t.teardown(() => running.close());
  const burst = (key: string, count: number, localAddress?: string): Promise<Envelope[]> =>
    Promise.all(
      Array.from({ length: count }, () =>
        apiGet(
          running.url,
          "/wotx/account/info/",
          { application_id: key, account_id: "5001" },
          { localAddress },
        ) as Promise<Envelope>,
      ),
    );
  const okCount = (answers: Envelope[]): number => answers.filter((a) => a.status === "ok").length;

  t.test("a burst over a server key's budget is refused with REQUEST_LIMIT_EXCEEDED", async (t) => {
    const fromOne = await burst("server-5", 8, "127.0.0.2");
    const answers = [...fromOne, ...(await burst("server-5", 8, "127.0.0.3"))];
    t.equal(okCount(answers), 5);
    const refused = answers.filter((a) => a.status !== "ok");
    t.equal(refused.length, 11);
    t.same(refused[0], fixtureJson("error-request-limit-exceeded.json"));
  });

  t.test("a standalone key's budget is counted per client IP", async (t) => {
    const first = await burst("standalone-5", 8, "127.0.0.4");
    const second = await burst("standalone-5", 8, "127.0.0.5");
    t.equal(okCount(first), 5);
    t.equal(okCount(second), 5);
  });

  t.test("the budget comes back once the window has passed", async (t) => {
    await delay(1050);
    t.equal(okCount(await burst("server-5", 6)), 5);
  });

  t.test("paced requests within the budget are all answered", async (t) => {
    await delay(1050);
    const answers: Envelope[] = [];
    for (let i = 0; i < 8; i++) {
      answers.push(...(await burst("server-5", 1)));
      await delay(230);
    }
    t.equal(okCount(answers), 8);
  });

  t.test("stats count requests and refusals and no window exceeds the budget", async (t) => {
    const stats = (await simGet(running.url, "/sim/stats")) as TrafficSnapshot;
    t.equal(stats.byKey["server-5"], 16 + 6 + 8);
    t.equal(stats.byIp["127.0.0.4"], 8);
    t.equal(stats.rejections.REQUEST_LIMIT_EXCEEDED, 11 + 3 + 3 + 1);
    t.ok(stats.budgets["server-5"].maxInAnyWindow <= 5);
    t.equal(stats.budgets["standalone-5"].maxInAnyWindow, 5);
    const seconds = stats.budgets["server-5"].lastSeconds;
    t.equal(seconds.reduce((sum, s) => sum + s.rejected, 0), 11 + 1);
  });

  t.test("reset-stats clears the counters", async (t) => {
    await simPost(running.url, "/sim/reset-stats");
    const stats = (await simGet(running.url, "/sim/stats")) as TrafficSnapshot;
    t.equal(stats.requests, 0);
    t.same(stats.rejections, {});
  });
});

t.test("with rateLimit off every request is answered but still measured", async (t) => {
  const running = await startSimulator({
    idsPerPlatform: 1000,
    rateLimit: false,
    keys: [{ applicationId: "k", kind: "server", requestsPerSecond: 2 }],
  });
  t.teardown(() => running.close());
  const answers = await Promise.all(
    Array.from({ length: 10 }, () =>
      apiGet(running.url, "/wotx/account/info/", { application_id: "k", account_id: "5001" }),
    ),
  );
  t.ok(answers.every((a) => (a as Envelope).status === "ok"));
  const stats = (await simGet(running.url, "/sim/stats")) as TrafficSnapshot;
  t.equal(stats.budgets.k.maxInAnyWindow, 10);
});
