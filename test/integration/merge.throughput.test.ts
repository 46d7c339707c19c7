import { performance } from "node:perf_hooks";
import t from "tap";
import type { Sql } from "../../server/db/pool";
import { mergeResults } from "../../server/ingest/merge";
import type { AcceptedResult } from "../../server/ingest/types";
import { leaseBatch, played, player, result, startRound } from "./ingest-fixtures";
import { testDatabase } from "../support/pg";

/** MERGE_BENCH_PLAYERS=100000 for the full measurement; the default keeps the suite quick. */
const PLAYERS = Number(process.env.MERGE_BENCH_PLAYERS ?? 10_000);
const PER_BATCH = 100;
/** Batches per mergeResults call; 50 x 100 players is the buffer's default 5,000-row flush. */
const BATCHES_PER_FLUSH = Number(process.env.MERGE_BENCH_BATCHES_PER_FLUSH ?? 50);

type PlayerAt = (i: number) => AcceptedResult["players"][0];

async function leaseAll(sql: Sql, statDay: string, players: PlayerAt) {
  const round = await startRound(sql, statDay);
  const out: AcceptedResult[] = [];
  for (let b = 0; b < PLAYERS / PER_BATCH; b++) {
    const list = Array.from({ length: PER_BATCH }, (_, k) => players(b * PER_BATCH + k));
    out.push(result(await leaseBatch(sql, round), list));
  }
  return out;
}

async function timedMerge(sql: Sql, results: AcceptedResult[]) {
  const started = performance.now();
  let diffs = 0;
  for (let i = 0; i < results.length; i += BATCHES_PER_FLUSH) {
    diffs += (await mergeResults(sql, results.slice(i, i + BATCHES_PER_FLUSH))).diffs;
  }
  const ms = performance.now() - started;
  return { ms: Math.round(ms), rowsPerSecond: Math.round((PLAYERS / ms) * 1000), diffs };
}

t.test("merge throughput in 5,000-player flushes", { timeout: 300_000 }, async (t) => {
  const { sql } = await testDatabase(t);
  const base = (i: number) => player(5_000 + i);

  const first = await timedMerge(sql, await leaseAll(sql, "2025-03-01", base));
  const grown = (i: number) => played(base(i), 2);
  const growth = await timedMerge(sql, await leaseAll(sql, "2025-03-02", grown));
  const same = await timedMerge(sql, await leaseAll(sql, "2025-03-02", grown));

  t.comment(`players ${PLAYERS} first sighting ${JSON.stringify(first)}`);
  t.comment(`players ${PLAYERS} growth ${JSON.stringify(growth)}`);
  t.comment(`players ${PLAYERS} unchanged ${JSON.stringify(same)}`);
  t.equal(growth.diffs, PLAYERS);
  t.equal(same.diffs, 0);
});
