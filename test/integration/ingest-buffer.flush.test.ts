import t from "tap";
import type { Sql } from "../../server/db/pool";
import { IngestBuffer } from "../../server/ingest/ingest-buffer";
import { mergeResults } from "../../server/ingest/merge";
import type { AcceptedResult } from "../../server/ingest/types";
import { createLogger, silentLogger } from "../../shared/log";
import { leaseBatch, player, releaseAndLeaseAgain, result, startRound } from "./ingest-fixtures";
import { testDatabase } from "../support/pg";

const log = silentLogger();

/** n leased batches of `size` new players each. */
async function results(sql: Sql, n: number, size: number, from = 10_000) {
  const round = await startRound(sql, "2025-03-01");
  const out: AcceptedResult[] = [];
  for (let i = 0; i < n; i++) {
    const players = Array.from({ length: size }, (_, k) => player(from + i * size + k));
    out.push(result(await leaseBatch(sql, round), players));
  }
  return out;
}

function spiedMerge(calls: number[]) {
  return (sql: Sql, batch: AcceptedResult[]) => {
    calls.push(batch.length);
    return mergeResults(sql, batch);
  };
}

t.test("the buffer flushes as soon as flushRows players are buffered", async (t) => {
  const { sql } = await testDatabase(t);
  const calls: number[] = [];
  const merge = spiedMerge(calls);
  const buffer = new IngestBuffer(sql, { log, flushRows: 250, flushMs: 60_000, merge });
  const [a, b, c] = await results(sql, 3, 100);

  const first = [buffer.add(a), buffer.add(b)];
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.same(calls, [], "200 players wait");
  t.equal(buffer.backlogRows, 200);

  const all = await Promise.all([...first, buffer.add(c)]);
  t.same(all, ["committed", "committed", "committed"]);
  t.same(calls, [3]);
  t.equal(buffer.backlogRows, 0);
  await buffer.close();
});

t.test("the buffer flushes flushMs after the first result when it stays small", async (t) => {
  const { sql } = await testDatabase(t);
  const buffer = new IngestBuffer(sql, { log, flushRows: 5_000, flushMs: 150 });
  const [a] = await results(sql, 1, 10);

  const started = Date.now();
  t.equal(await buffer.add(a), "committed");
  t.ok(Date.now() - started >= 140, "waited for flushMs");
  await buffer.close();
});

t.test("add resolves only after the commit, and a stale lease resolves as stale", async (t) => {
  const { sql } = await testDatabase(t);
  const buffer = new IngestBuffer(sql, { log, flushMs: 20 });
  const [a, b] = await results(sql, 2, 5);
  await releaseAndLeaseAgain(sql, b);

  const outcomes = await Promise.all([
    buffer.add(a).then(async (outcome) => {
      const [row] = await sql`SELECT state FROM batches WHERE id = ${a.batchId}`;
      const [players] = await sql`SELECT count(*) AS n FROM players`;
      return [outcome, row.state, players.n];
    }),
    buffer.add(b),
  ]);

  t.same(outcomes, [["committed", "done", 5], "stale"]);
  await buffer.close();
});

t.test("up to concurrentFlushes flushes run at once, each result committed once", async (t) => {
  const { sql } = await testDatabase(t);
  for (const concurrentFlushes of [1, 2]) {
    let running = 0;
    let most = 0;
    const merge = async (db: Sql, batch: AcceptedResult[]) => {
      running += 1;
      most = Math.max(most, running);
      try {
        return await mergeResults(db, batch);
      } finally {
        running -= 1;
      }
    };
    const buffer = new IngestBuffer(sql, { log, flushRows: 100, flushMs: 60_000, merge, concurrentFlushes });
    const all = await results(sql, 6, 100, 10_000 + concurrentFlushes * 1_000);

    const outcomes = await Promise.all(all.map((r) => buffer.add(r)));

    t.same(new Set(outcomes), new Set(["committed"]));
    t.equal(most, concurrentFlushes, `at most ${concurrentFlushes} at once, and that many`);
    await buffer.close();
  }
  const [row] = await sql`SELECT count(*)::int AS players, sum(battles)::int AS battles FROM players`;
  t.same({ ...row }, { players: 1_200, battles: 120_000 });
});

t.test("isBehind is true while the backlog reaches highWaterRows", async (t) => {
  const { sql } = await testDatabase(t);
  const options = { log, flushRows: 1_000, flushMs: 60_000, highWaterRows: 150 };
  const buffer = new IngestBuffer(sql, options);
  const [a, b] = await results(sql, 2, 100);
  const pending = [buffer.add(a)];
  t.equal(buffer.isBehind, false);
  pending.push(buffer.add(b));
  t.equal(buffer.isBehind, true);
  await buffer.close();
  t.same(await Promise.all(pending), ["committed", "committed"]);
  t.equal(buffer.isBehind, false);
});

t.test("results survive a database outage, nothing lost or doubled", async (t) => {
  const { sql, admin, name } = await testDatabase(t);
  const failures: string[] = [];
  const warnLog = createLogger("test", { write: (line: string) => void failures.push(line) });
  const buffer = new IngestBuffer(sql, {
    log: warnLog, flushRows: 300, flushMs: 20, backoff: { initialMs: 30, maxMs: 200 },
  });
  const all = await results(sql, 40, 50);

  await admin.unsafe(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`;
  let settled = 0;
  const outcomes = all.map((r) => buffer.add(r).finally(() => settled++));
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.equal(settled, 0, "nothing resolves while the database is away");
  t.equal(buffer.backlogRows, 2_000);

  await admin.unsafe(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
  const kills = setInterval(() => {
    void admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`;
  }, 40);
  await new Promise((resolve) => setTimeout(resolve, 200));
  clearInterval(kills);

  t.same(new Set(await Promise.all(outcomes)), new Set(["committed"]));
  t.ok(failures.some((line) => line.includes('"msg":"ingest flush failed"')), "failures logged");
  const [row] = await sql`
    SELECT (SELECT count(*) FROM players) AS players,
           (SELECT count(*) FROM player_totals) AS totals,
           (SELECT count(*) FROM batches WHERE state = 'done') AS done,
           (SELECT batches_done FROM agents) AS agent_done`;
  t.same({ ...row }, { players: 2_000, totals: 2_000, done: 40, agent_done: 40 });
  await buffer.close();
});
