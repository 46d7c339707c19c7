import { performance } from "node:perf_hooks";
import { migrate } from "../../server/db/migrate";
import { ensurePartitions } from "../../server/db/partitions";
import { openDatabase, type Sql } from "../../server/db/pool";
import { copyStagedPlayers, ensureStagingTable } from "../../server/ingest/copy-staged-players";
import { countAgentBatches, markBatchesDone } from "../../server/ingest/mark-batches-done";
import { mergeStagedPlayers, planForKeyLookups } from "../../server/ingest/merge-staged-players";
import type { AcceptedResult } from "../../server/ingest/types";
import { holdForVerification } from "../../server/verification/hold-for-verification";
import { silentLogger } from "../../shared/log";
import { startBenchDatabase } from "./bench-db";
import { ACTIVE_SHARE, FIRST_ID, leaseAll, player } from "./ingest-figure";

/**
 * Where an ingest flush's time goes: the steps of mergeResults timed one by one, for the same
 * data as the ingest figure (first sight, then a next day), with two flushes at once as the
 * server runs them; then the cost of the row writes alone, as plain INSERT ... SELECT.
 * Usage: node dist/test/bench/ingest-steps.js [players] [flushRows]
 */
async function main(): Promise<void> {
  const players = wholeNumber(process.argv[2], 200_000, "players");
  const flushRows = wholeNumber(process.argv[3], 5_000, "flushRows");
  const db = await startBenchDatabase();
  const sql = openDatabase(await db.create("steps"), { log: silentLogger(), max: 4 });
  try {
    await migrate(sql, { log: silentLogger() });
    await sql`INSERT INTO realms (platform, first_id, last_id)
              VALUES ('xbox', ${FIRST_ID}, ${FIRST_ID + players})`;
    const grown = (i: number) => player(i, i % Math.round(1 / ACTIVE_SHARE) === 0 ? 3 : 0);
    const day1 = await leaseAll(sql, "2026-11-01", players, (i) => player(i, 0));
    report("first sight", await timeSteps(sql, day1, flushRows));
    const day2 = await leaseAll(sql, "2026-11-02", players, grown);
    report("next day", await timeSteps(sql, day2, flushRows));
    await rowWrites(sql, players);
  } finally {
    await sql.end({ timeout: 5 });
    await db.stop();
  }
}

function wholeNumber(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (/^[0-9]+$/.test(text) && n >= 100) return n;
  process.stderr.write(
    `usage: node dist/test/bench/ingest-steps.js [players] [flushRows]\n` +
      `${name} must be a whole number of at least 100, not ${JSON.stringify(text)}\n`,
  );
  process.exit(2);
}

/** Milliseconds per step, summed over the flushes of both workers. */
async function timeSteps(sql: Sql, results: AcceptedResult[], flushRows: number) {
  const steps: Record<string, number> = {};
  const flushes: AcceptedResult[][] = [];
  const perFlush = Math.max(1, Math.round(flushRows / 100));
  for (let i = 0; i < results.length; i += perFlush) flushes.push(results.slice(i, i + perFlush));
  await ensurePartitions(sql, results[0].statDay);

  const started = performance.now();
  const worker = async () => {
    for (let flush = flushes.shift(); flush; flush = flushes.shift()) {
      const batch = flush;
      await sql.begin(async (tx) => {
        let mark = performance.now();
        const step = (name: string) => {
          const now = performance.now();
          steps[name] = (steps[name] ?? 0) + now - mark;
          mark = now;
        };
        await planForKeyLookups(tx);
        await holdForVerification(tx, batch, {});
        step("verification sample");
        await markBatchesDone(tx, batch);
        step("mark batches done");
        const staged = batch.flatMap((r) => r.players.map((p) => ({ player: p, result: r })));
        await ensureStagingTable(tx);
        await copyStagedPlayers(tx, staged);
        step("COPY into staging");
        await mergeStagedPlayers(tx);
        step("merge statement");
        await countAgentBatches(tx, batch);
        step("agents counter");
      });
    }
  };
  await Promise.all([worker(), worker()]);
  const rows = results.reduce((n, r) => n + r.players.length, 0);
  return { rowsPerSecond: rows / ((performance.now() - started) / 1000), steps };
}

function report(name: string, outcome: { rowsPerSecond: number; steps: Record<string, number> }) {
  const parts = Object.entries(outcome.steps).map(([step, ms]) => `${step} ${Math.round(ms)} ms`);
  process.stdout.write(
    `${name}: ${Math.round(outcome.rowsPerSecond).toLocaleString("en-US")} rows/s; ` +
      `summed over both workers: ${parts.join(", ")}\n`,
  );
}

/** The same number of 8-column rows written by one INSERT ... SELECT into three kinds of table. */
async function rowWrites(sql: Sql, rows: number): Promise<void> {
  const columns =
    "id bigint, platform text, a bigint, b bigint, c bigint, d bigint, e bigint, f bigint";
  await sql.unsafe(`CREATE TABLE src AS SELECT g::bigint AS id, 'xbox'::text AS platform,
    g::bigint AS a, g::bigint AS b, g::bigint AS c, g::bigint AS d, g::bigint AS e, g::bigint AS f
    FROM generate_series(1, ${rows}) g`);
  await sql.unsafe(`CREATE TABLE keyed (${columns}, PRIMARY KEY (id))`);
  await sql.unsafe(`CREATE TABLE keyed_upsert (${columns}, PRIMARY KEY (id))`);
  await sql.unsafe(`CREATE UNLOGGED TABLE bare (${columns})`);
  const cases: [string, string][] = [
    ["logged, primary key", "INSERT INTO keyed SELECT * FROM src"],
    [
      "logged, primary key, ON CONFLICT",
      "INSERT INTO keyed_upsert SELECT * FROM src ON CONFLICT (id) DO UPDATE SET a = excluded.a",
    ],
    ["unlogged, no index", "INSERT INTO bare SELECT * FROM src"],
  ];
  for (const [name, statement] of cases) {
    const started = performance.now();
    await sql.unsafe(statement);
    process.stdout.write(`INSERT ... SELECT of ${rows.toLocaleString("en-US")} rows, ${name}: ` +
      `${Math.round(performance.now() - started)} ms\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const text = err instanceof Error ? err.stack : String(err);
    process.stderr.write(`ingest-steps failed: ${text}\n`);
    process.exit(1);
  },
);
