import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { migrate } from "../../server/db/migrate";
import { openDatabase, type Sql } from "../../server/db/pool";
import { copyLine } from "../../server/ingest/copy-staged-players";
import { IngestBuffer } from "../../server/ingest/ingest-buffer";
import type { AcceptedResult } from "../../server/ingest/types";
import type { Player } from "../../shared/gen/tracker/v1/agent";
import { silentLogger } from "../../shared/log";
import type { BenchDatabase } from "./bench-db";
import type { BenchRow } from "./bench-table";

const PER_BATCH = 100;
export const FIRST_ID = 5000;
const DAY_1 = "2026-11-01";
const DAY_2 = "2026-11-02";
/** Share of players whose counters grow on day 2, as in the simulator's default. */
export const ACTIVE_SHARE = 0.15;

/**
 * Player rows per second through IngestBuffer and mergeResults (COPY into staging, merge into
 * players, totals, diffs, batches marked done), on the first sight of every player and on a
 * next day with 15 % of them grown, beside one raw COPY of the same rows into an unlogged table.
 */
export async function measureIngest(db: BenchDatabase, players: number): Promise<BenchRow[]> {
  const sql = openDatabase(await db.create("ingest"), { log: silentLogger(), max: 4 });
  try {
    await migrate(sql, { log: silentLogger() });
    await sql`INSERT INTO realms (platform, first_id, last_id) VALUES ('xbox', ${FIRST_ID}, ${FIRST_ID + players})`;

    const first = await timedIngest(sql, await leaseAll(sql, DAY_1, players, (i) => player(i, 0)));
    const grown = (i: number) => player(i, i % Math.round(1 / ACTIVE_SHARE) === 0 ? 3 : 0);
    const day2 = await leaseAll(sql, DAY_2, players, grown);
    const next = await timedIngest(sql, day2);
    const raw = await rawCopy(sql, day2);

    const goal = "≥ 25 % of reference";
    const row = (figure: string, rowsPerSecond: number): BenchRow => ({
      figure,
      value: rowsPerSecond,
      unit: "rows/s",
      reference: "raw COPY, unlogged, best of 3",
      referenceValue: raw,
      ratio: rowsPerSecond / raw,
      goal,
      met: rowsPerSecond / raw >= 0.25,
      notes: `${players.toLocaleString("en-US")} players, 5,000-row flushes`,
    });
    return [row("ingest, first sight", first), row("ingest, next day (15 % grown)", next)];
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export function player(i: number, grown: number): Player {
  const battles = 100 + (i % 500) + grown;
  return {
    accountId: FIRST_ID + i,
    nickname: `bench_${i}-x`,
    createdAt: 1_500_000_000 + i,
    lastBattleTime: 1_700_000_000 + grown,
    updatedAt: 1_700_000_100 + grown,
    hasStatistics: true,
    battles,
    wins: Math.floor(battles / 2),
    spotted: battles * 2,
    damageDealt: battles * 1000,
    frags: battles,
    droppedCapturePoints: i % 7,
  };
}

/** A running round whose batches are all leased to one agent, and a result for each. */
export async function leaseAll(
  sql: Sql,
  statDay: string,
  players: number,
  make: (i: number) => Player,
): Promise<AcceptedResult[]> {
  await sql`UPDATE rounds SET state = 'done' WHERE state = 'running'`;
  const [round] = await sql`INSERT INTO rounds (stat_day) VALUES (${statDay}) RETURNING id`;
  const [realm] = await sql`SELECT id FROM realms WHERE platform = 'xbox'`;
  await sql`INSERT INTO agents (id) VALUES ('bench') ON CONFLICT DO NOTHING`;
  const batches = await sql`
    INSERT INTO batches (round_id, realm_id, first_id, last_id, state, lease_id, agent_id,
                         lease_expires, attempts)
    SELECT ${round.id}, ${realm.id}, ${FIRST_ID} + g * ${PER_BATCH},
           ${FIRST_ID} + g * ${PER_BATCH} + ${PER_BATCH - 1}, 'leased', nextval('lease_ids'),
           'bench', now() + interval '1 hour', 1
      FROM generate_series(0, ${Math.ceil(players / PER_BATCH) - 1}) g
    RETURNING id, lease_id, first_id`;

  return batches.map((b) => {
    const start = Number(b.first_id) - FIRST_ID;
    const list: Player[] = [];
    for (let i = start; i < Math.min(players, start + PER_BATCH); i++) list.push(make(i));
    return {
      batchId: Number(b.id),
      leaseId: Number(b.lease_id),
      roundId: Number(round.id),
      statDay,
      platform: "xbox",
      agentId: "bench",
      fetchedAtMs: Date.now(),
      players: list,
    };
  });
}

async function timedIngest(sql: Sql, results: AcceptedResult[]): Promise<number> {
  const buffer = new IngestBuffer(sql, { log: silentLogger(), highWaterRows: 1e9 });
  const rows = results.reduce((n, r) => n + r.players.length, 0);

  const started = performance.now();
  const outcomes = await Promise.all(results.map((r) => buffer.add(r)));
  const seconds = (performance.now() - started) / 1000;
  await buffer.close();

  const stale = outcomes.filter((o) => o !== "committed").length;
  if (stale > 0) throw new Error(`ingest benchmark: ${stale} results were not committed`);
  return rows / seconds;
}

/** Runs of the reference; the fastest counts, so a slow moment of the machine cannot flatter. */
const REFERENCE_RUNS = 3;

/** The same rows, in the same text format, in one COPY into an unlogged table: best of 3. */
async function rawCopy(sql: Sql, results: AcceptedResult[]): Promise<number> {
  await sql`
    CREATE UNLOGGED TABLE raw_copy (
      account_id bigint, platform text, nickname text, created_at bigint,
      last_battle_time bigint, updated_at bigint, has_statistics boolean, battles bigint,
      wins bigint, spotted bigint, damage_dealt bigint, frags bigint,
      dropped_capture_points bigint, stat_day date, batch_id bigint, fetched_at_ms bigint)`;
  const staged = results.flatMap((result) => result.players.map((p) => ({ player: p, result })));

  let best = 0;
  for (let run = 0; run < REFERENCE_RUNS; run++) {
    await sql`TRUNCATE raw_copy`;
    const started = performance.now();
    const stream = await sql`COPY raw_copy FROM STDIN`.writable();
    await pipeline(Readable.from(lines(staged)), stream);
    const seconds = (performance.now() - started) / 1000;

    const [{ n }] = await sql`SELECT count(*)::int AS n FROM raw_copy`;
    if (n !== staged.length) throw new Error(`raw COPY loaded ${n} of ${staged.length} rows`);
    best = Math.max(best, staged.length / seconds);
  }
  return best;
}

function* lines(staged: { player: Player; result: AcceptedResult }[]): Generator<string> {
  for (let start = 0; start < staged.length; start += 2000) {
    yield staged.slice(start, start + 2000).map(copyLine).join("");
  }
}
