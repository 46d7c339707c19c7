import t from "tap";
import { fixtureJson, fixtureText } from "./fixture-files";
import { call, simGet, simPost, TRACKER_FIELDS_PARAM, type RawAnswer } from "./loopback-client";
import { startSimulator, type RunningSimulator } from "./server";
import type { TrafficSnapshot } from "./traffic-stats";

const IDS = [5001, 5002, 5003, 5004, 5005];
const QUERY = new URLSearchParams({
  application_id: "demo-key",
  account_id: IDS.join(","),
  fields: TRACKER_FIELDS_PARAM,
}).toString();

async function ask(running: RunningSimulator, timeoutMs = 5000): Promise<RawAnswer> {
  return call(`${running.url}/wotx/account/info/?${QUERY}`, { timeoutMs });
}

/** Sets exactly one fault to share 1 (others off) and returns one answer. */
async function underFault(running: RunningSimulator, kind: string): Promise<RawAnswer> {
  await simPost(running.url, "/sim/faults", { replace: true, [kind]: 1 });
  return ask(running);
}

t.test("each fault at share 1", async (t) => {
  const running = await startSimulator({ idsPerPlatform: 1000, rateLimit: false });
  t.teardown(() => running.close());
  await simPost(running.url, "/sim/faults", { replace: true });
  const normal = JSON.parse((await ask(running)).body) as { data: Record<string, unknown> };

  t.test("sourceNotAvailable answers the 504 envelope with HTTP 200", async (t) => {
    const answer = await underFault(running, "sourceNotAvailable");
    t.equal(answer.status, 200);
    t.same(JSON.parse(answer.body), fixtureJson("error-source-not-available.json"));
  });

  t.test("edge5xx answers HTTP 502, 503 or 504 with the edge's HTML page", async (t) => {
    const statuses = new Set<number>();
    await simPost(running.url, "/sim/faults", { replace: true, edge5xx: 1 });
    for (let i = 0; i < 30; i++) {
      const answer = await ask(running);
      statuses.add(answer.status);
      t.match(answer.headers["content-type"], /^text\/html/);
      if (answer.status === 504) t.equal(answer.body, fixtureText("edge-504.html"));
    }
    t.same([...statuses].sort(), [502, 503, 504]);
  });

  t.test("truncated answers a JSON text cut short that does not parse", async (t) => {
    const answer = await underFault(running, "truncated");
    t.equal(answer.status, 200);
    t.throws(() => JSON.parse(answer.body));
    t.ok(answer.body.startsWith('{"status":"ok","meta":{"count":5},"data":{'));
  });

  t.test("emptyBody answers HTTP 200 with nothing", async (t) => {
    const answer = await underFault(running, "emptyBody");
    t.equal(answer.status, 200);
    t.equal(answer.body, "");
  });

  t.test("okWithoutData answers status ok without data", async (t) => {
    const answer = JSON.parse((await underFault(running, "okWithoutData")).body) as object;
    t.same(answer, { status: "ok", meta: { count: 5 } });
  });

  t.test("metaCountWrong answers the right data with a wrong meta.count", async (t) => {
    const answer = JSON.parse((await underFault(running, "metaCountWrong")).body) as {
      meta: { count: number };
      data: object;
    };
    t.same(answer.data, normal.data);
    t.not(answer.meta.count, 5);
  });

  t.test("unrequestedId adds one id that was not asked for", async (t) => {
    const answer = JSON.parse((await underFault(running, "unrequestedId")).body) as {
      meta: { count: number };
      data: Record<string, unknown>;
    };
    const extra = Object.keys(answer.data).filter((id) => !IDS.includes(Number(id)));
    t.equal(extra.length, 1);
    t.equal(answer.meta.count, 6);
    for (const id of IDS) t.same(answer.data[id], normal.data[id]);
  });

  t.test("requestLimit answers REQUEST_LIMIT_EXCEEDED though the budget is free", async (t) => {
    const answer = JSON.parse((await underFault(running, "requestLimit")).body) as object;
    t.same(answer, fixtureJson("error-request-limit-exceeded.json"));
  });

  t.test("errorAsString answers an error given as a bare string", async (t) => {
    const answer = JSON.parse((await underFault(running, "errorAsString")).body) as object;
    t.same(answer, fixtureJson("invalid-error-as-string.json"));
  });

  t.test("stall holds the answer for stallMs", async (t) => {
    await simPost(running.url, "/sim/faults", { replace: true, stall: 1, stallMs: 400 });
    const started = Date.now();
    const answer = await ask(running);
    t.ok(Date.now() - started >= 380);
    t.same((JSON.parse(answer.body) as { data: unknown }).data, normal.data);
  });

  t.test("a fault share out of range is refused by /sim/faults", async (t) => {
    const answer = await call(`${running.url}/sim/faults`, {
      method: "POST",
      body: JSON.stringify({ sourceNotAvailable: 0.8, edge5xx: 0.5 }),
    });
    t.equal(answer.status, 400);
  });
});

t.test("a stalled answer does not keep the server from closing", async (t) => {
  const running = await startSimulator({ idsPerPlatform: 500, faults: { stall: 1 } });
  const pending = ask(running, 30_000).catch((err: Error) => err);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  await running.close();
  t.ok(Date.now() - started < 2000, "closed promptly");
  t.type(await pending, Error);
});

const MIXED = {
  sourceNotAvailable: 0.1,
  edge5xx: 0.05,
  truncated: 0.05,
  emptyBody: 0.05,
  okWithoutData: 0.05,
  metaCountWrong: 0.05,
  unrequestedId: 0.05,
  requestLimit: 0.05,
  errorAsString: 0.05,
};

async function mixedRun(): Promise<{ bodies: string[]; stats: TrafficSnapshot }> {
  const running = await startSimulator({ seed: 5, idsPerPlatform: 1000, rateLimit: false });
  try {
    await simPost(running.url, "/sim/faults", MIXED);
    const bodies: string[] = [];
    for (let i = 0; i < 400; i++) {
      const answer = await ask(running);
      bodies.push(`${answer.status} ${answer.body}`);
    }
    return { bodies, stats: (await simGet(running.url, "/sim/stats")) as TrafficSnapshot };
  } finally {
    await running.close();
  }
}

t.test("mixed faults over 400 requests", async (t) => {
  const first = await mixedRun();

  t.test("each fault's share is roughly as configured", async (t) => {
    for (const [kind, share] of Object.entries(MIXED)) {
      const seen = first.stats.faults[kind] ?? 0;
      t.ok(seen > 400 * share * 0.4 && seen < 400 * share * 1.8, `${kind}: ${seen} of 400`);
    }
    const none = first.stats.faults.none ?? 0;
    t.ok(none > 400 * 0.4 && none < 400 * 0.6, `none: ${none}`);
  });

  t.test("the same seed and request sequence replay the same answers", async (t) => {
    const second = await mixedRun();
    t.same(second.bodies, first.bodies);
  });
});

t.test("faults never change the ground truth", async (t) => {
  const quiet = await startSimulator({ idsPerPlatform: 1000, rateLimit: false });
  const noisy = await startSimulator({ idsPerPlatform: 1000, rateLimit: false, faults: MIXED });
  t.teardown(async () => {
    await quiet.close();
    await noisy.close();
  });
  for (let i = 0; i < 50; i++) await ask(noisy);
  const a = await simPost(quiet.url, "/sim/advance-day");
  const b = await simPost(noisy.url, "/sim/advance-day");
  t.same(b, a);
  t.same(
    await simGet(noisy.url, "/sim/accounts?platform=xbox&limit=200"),
    await simGet(quiet.url, "/sim/accounts?platform=xbox&limit=200"),
  );
});
