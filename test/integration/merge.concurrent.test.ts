import t from "tap";
import { ensurePartitions } from "../../server/db/partitions";
import type { Sql } from "../../server/db/pool";
import { mergeResults } from "../../server/ingest/merge";
import {
  counts,
  leaseBatch,
  mergeRound,
  played,
  player,
  result,
  startRound,
} from "./ingest-fixtures";
import { testDatabase } from "../support/pg";

/** Resolves once some statement of the database waits for a lock another one holds. */
async function someoneWaitsForALock(sql: Sql): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const [{ waiting }] = await sql`
      SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted`;
    if (waiting > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no statement ever waited for a lock");
}

t.test("rows changed under a merge are merged again against their new values", async (t) => {
  const { sql } = await testDatabase(t);
  const known = Array.from({ length: 50 }, (_, i) => player(7000 + i));
  await mergeRound(sql, "2025-03-01", known, mergeResults);
  const round = await startRound(sql, "2025-03-02");
  const grown = known.map((p) => played(p, 3));
  const batch = await leaseBatch(sql, round);

  // Another writer holds the rows, already at the grown values, while the merge reads them.
  let commitOther = () => {};
  const otherHolds = new Promise<void>((resolve) => (commitOther = resolve));
  const other = sql.begin(async (tx) => {
    for (const p of grown) {
      await tx`UPDATE players SET battles = ${p.battles}, wins = ${p.wins}, spotted = ${p.spotted},
                 damage_dealt = ${p.damageDealt}, frags = ${p.frags},
                 dropped_capture_points = ${p.droppedCapturePoints},
                 last_battle_time = to_timestamp(${p.lastBattleTime}),
                 updated_at = to_timestamp(${p.updatedAt})
                WHERE account_id = ${p.accountId}`;
    }
    await otherHolds;
  });
  await new Promise((r) => setTimeout(r, 100));
  const merging = mergeResults(sql, [result(batch, grown)]);
  await someoneWaitsForALock(sql);
  commitOther();
  await other;
  const outcome = await merging;

  // Read before the other commit, every account would have a diff of 3 battles.
  t.equal(outcome.batchesDone.length, 1);
  t.match(outcome, { diffs: 0, anomalies: 0 });
  const [diffs] = await sql`SELECT count(*)::int AS n FROM player_diffs`;
  t.equal(diffs.n, 0, "no increase counted that the newer rows already hold");
});

t.test("two flushes racing on never-seen accounts insert each once", async (t) => {
  const { sql } = await testDatabase(t);
  const round = await startRound(sql, "2025-03-01");
  const fresh = Array.from({ length: 300 }, (_, i) => player(8000 + i));
  const a = result(await leaseBatch(sql, round), fresh);
  const b = result(await leaseBatch(sql, round), [...fresh].reverse());

  await Promise.all([mergeResults(sql, [a]), mergeResults(sql, [b])]);

  t.same(await counts(sql), { players: 300, totals: 300, diffs: 0, anomalies: 0 });
  const [baselines] = await sql`SELECT count(*)::int AS n FROM player_totals WHERE baseline`;
  t.equal(baselines.n, 300);
});

t.test("a flush that loses the insert of a new account runs again and merges it", async (t) => {
  const { sql } = await testDatabase(t);
  const round = await startRound(sql, "2025-03-01");
  const fresh = player(9000);

  await ensurePartitions(sql, "2025-03-01");

  // Another flush has inserted the account and its first totals, and not yet committed.
  let commitOther = () => {};
  const otherHolds = new Promise<void>((resolve) => (commitOther = resolve));
  const other = sql.begin(async (tx) => {
    await tx`INSERT INTO players (account_id, platform, nickname) VALUES (9000, 'xbox', 'early')`;
    await tx`
      INSERT INTO player_totals (account_id, stat_day, platform, battles, wins, spotted,
                                 damage_dealt, frags, dropped_capture_points, baseline)
      VALUES (9000, '2025-03-01', 'xbox', 0, 0, 0, 0, 0, 0, true)`;
    await otherHolds;
  });
  await new Promise((r) => setTimeout(r, 100));
  const merging = mergeResults(sql, [result(await leaseBatch(sql, round), [fresh])]);
  await someoneWaitsForALock(sql);
  commitOther();
  await other;
  const outcome = await merging;

  t.equal(outcome.batchesDone.length, 1);
  const [row] = await sql`SELECT nickname, battles FROM players WHERE account_id = 9000`;
  t.same({ ...row }, { nickname: "player_9000", battles: 100 });
  const [totals] = await sql`SELECT battles, baseline FROM player_totals`;
  t.same({ ...totals }, { battles: 100, baseline: true });
});
