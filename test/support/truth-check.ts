import type { Test } from "tap";
import type { Sql } from "../../server/db/pool";
import type { Simulation } from "../sim/simulation";
import { comparePlayersWithTruth, dailyActivity, negativeDiffs } from "./truth";

type TestLike = Pick<Test, "same" | "equal" | "ok" | "comment">;

export interface TruthFigures {
  rowsCompared: number;
  diffRows: number;
  battles: number;
  batchesRetried: number;
}

/**
 * The end of every fault case: the database against the simulator's truth for one stat day.
 * Every existing account is present with the simulator's totals; the day's diffs equal the
 * battles the simulator played (so none is counted twice or lost); there is one diff row per
 * active player and no negative diff; every batch of the round is done.
 */
export async function checkDayAgainstTruth(
  t: TestLike,
  input: { sql: Sql; sim: Simulation; realms: Parameters<typeof comparePlayersWithTruth>[2] },
  roundId: number,
  day: number,
): Promise<TruthFigures> {
  const { sql, sim, realms } = input;
  const truth = sim.truth(day);

  const players = await comparePlayersWithTruth(sql, sim, realms);
  t.same(players.mismatches, [], "every existing account is stored with the simulator's totals");
  t.ok(players.rowsCompared > 1000, "thousands of accounts were compared");

  const activity = await dailyActivity(sql, truth.date);
  let battles = 0;
  let active = 0;
  for (const platform of ["xbox", "ps"] as const) {
    const want = truth[platform];
    t.same(
      activity[platform],
      { playersActive: want.playersActive, battles: want.battles, newAccounts: want.newAccounts },
      `${platform}: the day's diffs equal the battles the simulator played`,
    );
    battles += want.battles ?? 0;
    active += want.playersActive ?? 0;
  }

  const [{ diffs, anomalies }] = await sql`
    SELECT (SELECT count(*)::int FROM player_diffs WHERE stat_day = ${truth.date}) AS diffs,
           (SELECT count(*)::int FROM anomalies WHERE stat_day = ${truth.date}) AS anomalies`;
  t.equal(diffs, active, "one diff row per active player: no account counted twice");
  t.equal(anomalies, 0, "no counter went down");
  t.equal(await negativeDiffs(sql), 0, "no diff is negative");

  const [batches] = await sql`
    SELECT count(*)::int AS total,
           count(*) FILTER (WHERE state = 'done')::int AS done,
           coalesce(sum(greatest(attempts - 1, 0)), 0)::int AS retried
      FROM batches WHERE round_id = ${roundId}`;
  t.equal(batches.done, batches.total, "every batch of the round is done");

  t.comment(
    `stat day ${truth.date}: ${players.rowsCompared} accounts compared, ${diffs} diff rows, ` +
      `${battles} battles, ${batches.total} batches, ${batches.retried} batch attempts retried`,
  );
  const { rowsCompared } = players;
  return { rowsCompared, diffRows: diffs, battles, batchesRetried: batches.retried };
}
