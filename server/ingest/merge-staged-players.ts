import type { TransactionSql } from "../db/pool";

export interface MergeCounts {
  players: number;
  totals: number;
  diffs: number;
  anomalies: number;
}

/**
 * Every statement of a flush reads and writes a few thousand rows by their key. The planner,
 * with no statistics for the temp staging table and stale ones for a growing players table,
 * would hash or merge join the two and read all of players in every flush (77 of 170 ms of a
 * 5,000-row flush at 95,000 players, and growing with the table). Without those joins every
 * lookup is an index probe, and a flush costs the same however big players grows.
 */
export async function planForKeyLookups(tx: TransactionSql): Promise<void> {
  await tx`
    SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`;
}

/** Rounds of the merge statement before a flush gives up and is retried whole. */
const MAX_MERGE_PASSES = 10;

/**
 * Merges merge_staging into players, player_totals, player_diffs and anomalies. Writes are
 * optimistic: an account whose players row another transaction changed after this statement
 * read it is not written, and a further pass, with a new snapshot that sees the other's commit,
 * merges just those accounts (a never-seen account inserted by both: see mergeResults). Two flushes holding the same account (it can sit
 * in two batches, or in the results of two coordinators) so never count an increase twice,
 * and flushes of different accounts never wait for each other.
 */
export async function mergeStagedPlayers(tx: TransactionSql): Promise<MergeCounts> {
  const counts = { players: 0, totals: 0, diffs: 0, anomalies: 0 };

  for (let pass = 1; pass <= MAX_MERGE_PASSES; pass++) {
    const outcome = await mergePass(tx);
    counts.players += outcome.players;
    counts.totals += outcome.totals;
    counts.diffs += outcome.diffs;
    counts.anomalies += outcome.anomalies;
    if (outcome.lost.length === 0) return counts;

    await tx`DELETE FROM merge_staging WHERE NOT (account_id = ANY(${outcome.lost}::bigint[]))`;
  }
  throw new Error(`merge: accounts still changing after ${MAX_MERGE_PASSES} passes of one flush`);
}

interface PassOutcome extends MergeCounts {
  /** Accounts changed by another transaction since this pass read them; nothing written. */
  lost: number[];
}

/**
 * One pass of the set-based merge, in one statement so every part reads the same players rows.
 * The players row of a known account is written only if it is still the version this statement
 * read (same xmin; under READ COMMITTED an UPDATE re-checks that against the latest committed
 * version), and its totals, diff and anomalies only with it. The accounts whose write lost are
 * returned.
 *
 * kind of each staged row:
 * - no_statistics: the API had no counters; only the players row is refreshed.
 * - baseline: first measurement of the account; a baseline totals row and no diff.
 * - new_account: first measurement of an account created after the end of the stat day of the
 *   previous round (the latest round with an earlier stat day); all its battles are the day's.
 * - anomaly: some counter went down; one anomalies row per such counter, totals, no diff.
 * - grew: battles grew; a diff of every counter and the totals.
 * - steady: battles unchanged; players is refreshed only if something differs.
 *
 * LIMITATION: a counter that grows while battles stay the same updates players but is in no
 * diff, so that increase is never counted in player_diffs.
 * LIMITATION: an older measurement of an account that arrives after a newer one is merged as
 * the latest, so its lower counters are recorded as anomalies.
 */
async function mergePass(tx: TransactionSql): Promise<PassOutcome> {
  // Sent unprepared, so it is planned afresh each flush: a prepared statement's plan would
  // keep the row estimates of the connection's first flush, when players was small.
  const [counts] = await tx`
    WITH previous_round AS (
      SELECT d.stat_day, (max(r.stat_day) + 1)::timestamp AT TIME ZONE 'UTC' AS new_since
        FROM (SELECT DISTINCT stat_day FROM merge_staging) d
        LEFT JOIN rounds r ON r.stat_day < d.stat_day
       GROUP BY d.stat_day
    ), fetched AS (
      SELECT s.*, pr.new_since,
             to_timestamp(s.created_at) AS created_ts,
             least(to_timestamp(s.fetched_at_ms / 1000.0), now()) AS fetched_ts,
             p.account_id IS NOT NULL AS known, p.xmin AS old_version,
             p.platform AS old_platform, p.nickname AS old_nickname,
             p.created_at AS old_created_at, p.last_battle_time AS old_last_battle_time,
             p.updated_at AS old_updated_at,
             p.battles AS old_battles, p.wins AS old_wins, p.spotted AS old_spotted,
             p.damage_dealt AS old_damage_dealt, p.frags AS old_frags,
             p.dropped_capture_points AS old_dropped_capture_points
        FROM merge_staging s
        JOIN previous_round pr USING (stat_day)
        LEFT JOIN players p USING (account_id)
    ), m AS (
      SELECT f.*,
             coalesce(f.created_ts, f.old_created_at) AS new_created_at,
             coalesce(to_timestamp(f.last_battle_time), f.old_last_battle_time)
               AS new_last_battle_time,
             coalesce(to_timestamp(f.updated_at), f.old_updated_at) AS new_updated_at,
             CASE
               WHEN NOT f.has_statistics THEN 'no_statistics'
               WHEN f.old_battles IS NULL THEN
                 CASE WHEN f.battles > 0 AND f.created_ts >= f.new_since
                      THEN 'new_account' ELSE 'baseline' END
               WHEN f.battles < f.old_battles OR f.wins < f.old_wins
                 OR f.spotted < f.old_spotted OR f.damage_dealt < f.old_damage_dealt
                 OR f.frags < f.old_frags
                 OR f.dropped_capture_points < f.old_dropped_capture_points THEN 'anomaly'
               WHEN f.battles > f.old_battles THEN 'grew'
               ELSE 'steady'
             END AS kind
        FROM fetched f
    ), changed AS (
      SELECT m.* FROM m
       WHERE NOT m.known
          OR (m.platform, m.nickname) IS DISTINCT FROM (m.old_platform, m.old_nickname)
          OR (m.new_created_at, m.new_last_battle_time, m.new_updated_at)
             IS DISTINCT FROM (m.old_created_at, m.old_last_battle_time, m.old_updated_at)
          OR (m.has_statistics
              AND (m.battles, m.wins, m.spotted, m.damage_dealt, m.frags, m.dropped_capture_points)
                  IS DISTINCT FROM (m.old_battles, m.old_wins, m.old_spotted, m.old_damage_dealt,
                                    m.old_frags, m.old_dropped_capture_points))
       ORDER BY m.account_id
    ), updated AS (
      -- Counters are NULL when the API had none; coalesce keeps the stored ones then.
      UPDATE players p SET
        platform = c.platform, nickname = c.nickname, created_at = c.new_created_at,
        last_battle_time = c.new_last_battle_time, updated_at = c.new_updated_at,
        battles = coalesce(c.battles, p.battles), wins = coalesce(c.wins, p.wins),
        spotted = coalesce(c.spotted, p.spotted),
        damage_dealt = coalesce(c.damage_dealt, p.damage_dealt),
        frags = coalesce(c.frags, p.frags),
        dropped_capture_points = coalesce(c.dropped_capture_points, p.dropped_capture_points),
        last_fetched = c.fetched_ts
        FROM changed c
       WHERE c.known AND p.account_id = c.account_id AND p.xmin = c.old_version
      RETURNING c.*
    ), inserted AS (
      -- No ON CONFLICT (it would double the cost of the insert): an account another flush
      -- inserted first fails the statement with a unique violation, and mergeResults runs the
      -- flush again, when the account is known.
      INSERT INTO players (account_id, platform, nickname, created_at, last_battle_time,
                           updated_at, battles, wins, spotted, damage_dealt, frags,
                           dropped_capture_points, first_seen, last_fetched)
      SELECT account_id, platform, nickname, new_created_at, new_last_battle_time,
             new_updated_at, battles, wins, spotted, damage_dealt, frags,
             dropped_capture_points, fetched_ts, fetched_ts
        FROM changed
       WHERE NOT known
       ORDER BY account_id
    ), written AS (
      SELECT * FROM updated UNION ALL SELECT * FROM changed WHERE NOT known
    ), diffs AS (
      -- A new_account diff holds all counters, so on conflict it replaces rather than adds.
      INSERT INTO player_diffs AS d (account_id, stat_day, platform, battles, wins, spotted,
                                     damage_dealt, frags, dropped_capture_points, new_account)
      SELECT account_id, stat_day, platform,
             battles - coalesce(old_battles, 0), wins - coalesce(old_wins, 0),
             spotted - coalesce(old_spotted, 0), damage_dealt - coalesce(old_damage_dealt, 0),
             frags - coalesce(old_frags, 0),
             dropped_capture_points - coalesce(old_dropped_capture_points, 0),
             kind = 'new_account'
        FROM written WHERE kind IN ('grew', 'new_account')
      ON CONFLICT (account_id, stat_day) DO UPDATE SET
        battles = CASE WHEN excluded.new_account THEN excluded.battles
                       ELSE d.battles + excluded.battles END,
        wins = CASE WHEN excluded.new_account THEN excluded.wins ELSE d.wins + excluded.wins END,
        spotted = CASE WHEN excluded.new_account THEN excluded.spotted
                       ELSE d.spotted + excluded.spotted END,
        damage_dealt = CASE WHEN excluded.new_account THEN excluded.damage_dealt
                            ELSE d.damage_dealt + excluded.damage_dealt END,
        frags = CASE WHEN excluded.new_account THEN excluded.frags
                     ELSE d.frags + excluded.frags END,
        dropped_capture_points = CASE WHEN excluded.new_account THEN excluded.dropped_capture_points
                             ELSE d.dropped_capture_points + excluded.dropped_capture_points END,
        new_account = d.new_account OR excluded.new_account
      RETURNING 1
    ), totals AS (
      INSERT INTO player_totals AS t (account_id, stat_day, platform, battles, wins, spotted,
                                      damage_dealt, frags, dropped_capture_points,
                                      last_battle_time, baseline)
      SELECT account_id, stat_day, platform, battles, wins, spotted, damage_dealt, frags,
             dropped_capture_points, new_last_battle_time, kind = 'baseline'
        FROM written WHERE kind IN ('baseline', 'new_account', 'anomaly', 'grew') AND known
      ON CONFLICT (account_id, stat_day) DO UPDATE SET
        platform = excluded.platform, battles = excluded.battles, wins = excluded.wins,
        spotted = excluded.spotted, damage_dealt = excluded.damage_dealt,
        frags = excluded.frags, dropped_capture_points = excluded.dropped_capture_points,
        last_battle_time = excluded.last_battle_time,
        baseline = t.baseline AND excluded.baseline
      RETURNING 1
    ), first_totals AS (
      -- Totals are written only with the players row, so an account that had none has no
      -- totals either: a plain insert, at half the cost of one with ON CONFLICT.
      INSERT INTO player_totals (account_id, stat_day, platform, battles, wins, spotted,
                                 damage_dealt, frags, dropped_capture_points, last_battle_time,
                                 baseline)
      SELECT account_id, stat_day, platform, battles, wins, spotted, damage_dealt, frags,
             dropped_capture_points, new_last_battle_time, kind = 'baseline'
        FROM written WHERE kind IN ('baseline', 'new_account') AND NOT known
      RETURNING 1
    ), anomalies AS (
      INSERT INTO anomalies (account_id, stat_day, field, old_value, new_value, batch_id)
      SELECT w.account_id, w.stat_day, c.field, c.old_value, c.new_value, w.batch_id
        FROM written w CROSS JOIN LATERAL (VALUES
               ('battles', w.old_battles, w.battles),
               ('wins', w.old_wins, w.wins),
               ('spotted', w.old_spotted, w.spotted),
               ('damage_dealt', w.old_damage_dealt, w.damage_dealt),
               ('frags', w.old_frags, w.frags),
               ('dropped_capture_points', w.old_dropped_capture_points, w.dropped_capture_points)
             ) AS c (field, old_value, new_value)
       WHERE w.kind = 'anomaly' AND c.new_value < c.old_value
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM written) AS players,
           (SELECT count(*) FROM totals) + (SELECT count(*) FROM first_totals) AS totals,
           (SELECT count(*) FROM diffs) AS diffs,
           (SELECT count(*) FROM anomalies) AS anomalies,
           array(SELECT account_id FROM changed WHERE known
                 EXCEPT ALL SELECT account_id FROM updated) AS lost`.simple();
  return {
    players: counts.players,
    totals: counts.totals,
    diffs: counts.diffs,
    anomalies: counts.anomalies,
    lost: (counts.lost as (number | string)[]).map(Number),
  };
}
