import t from "tap";
import { mergeResults } from "../../server/ingest/merge";
import {
  counts,
  leaseBatch,
  mergeRound,
  played,
  player,
  releaseAndLeaseAgain,
  result,
  startRound,
} from "./ingest-fixtures";
import { testDatabase } from "../support/pg";

t.test("a counter that goes down is an anomaly per field, never a negative diff", async (t) => {
  const { sql } = await testDatabase(t);
  const before = player(5001);
  await mergeRound(sql, "2025-03-01", [before], mergeResults);
  const after = { ...played(before, 5), wins: before.wins - 2, frags: before.frags - 1 };

  const outcome = await mergeResults(sql, [
    result(await leaseBatch(sql, await startRound(sql, "2025-03-02")), [after]),
  ]);

  t.match(outcome, { diffs: 0, anomalies: 2, totals: 1, players: 1 });
  const anomalies = await sql`
    SELECT field, old_value, new_value, stat_day FROM anomalies ORDER BY field`;
  t.same(anomalies.map((r) => ({ ...r })), [
    { field: "frags", old_value: 90, new_value: 89, stat_day: "2025-03-02" },
    { field: "wins", old_value: 50, new_value: 48, stat_day: "2025-03-02" },
  ]);
  const [totals] = await sql`SELECT battles, wins FROM player_totals WHERE stat_day = '2025-03-02'`;
  t.same({ ...totals }, { battles: 105, wins: 48 });
  const [row] = await sql`SELECT wins FROM players`;
  t.equal(row.wins, 48);
});

t.test("the same result merged twice under one lease changes nothing the 2nd time", async (t) => {
  const { sql } = await testDatabase(t);
  const base = player(5001);
  await mergeRound(sql, "2025-03-01", [base], mergeResults);
  const batch = await leaseBatch(sql, await startRound(sql, "2025-03-02"));
  const grown = result(batch, [played(base, 4)]);
  await mergeResults(sql, [grown]);
  const snapshot = await counts(sql);

  const again = await mergeResults(sql, [grown]);

  t.same(again.batchesDone, []);
  t.same(again.duplicateLeases, [batch.leaseId]);
  t.same(again.rejectedLeases, []);
  t.match(again, { players: 0, totals: 0, diffs: 0 });
  t.same(await counts(sql), snapshot);
  const [diff] = await sql`SELECT battles FROM player_diffs`;
  t.equal(diff.battles, 4);
  const [agent] = await sql`SELECT batches_done FROM agents`;
  t.equal(agent.batches_done, 2);
});

t.test("a lease given twice in one flush is merged once", async (t) => {
  const { sql } = await testDatabase(t);
  const base = player(5001);
  await mergeRound(sql, "2025-03-01", [base], mergeResults);
  const batch = await leaseBatch(sql, await startRound(sql, "2025-03-02"));
  const grown = result(batch, [played(base, 4)]);

  const outcome = await mergeResults(sql, [grown, grown]);

  t.same(outcome.rejectedLeases, []);
  t.match(outcome, { diffs: 1, players: 1 });
  const [diff] = await sql`SELECT battles FROM player_diffs`;
  t.equal(diff.battles, 4);
});

t.test("the same data under a new lease adds no diff and changes no totals", async (t) => {
  const { sql } = await testDatabase(t);
  const base = player(5001);
  await mergeRound(sql, "2025-03-01", [base], mergeResults);
  const round = await startRound(sql, "2025-03-02");
  const grown = played(base, 4);
  await mergeResults(sql, [result(await leaseBatch(sql, round), [grown])]);
  const snapshot = await counts(sql);
  const totalsBefore = await sql`SELECT * FROM player_totals ORDER BY stat_day`;

  const outcome = await mergeResults(sql, [result(await leaseBatch(sql, round), [grown])]);

  t.equal(outcome.batchesDone.length, 1);
  t.match(outcome, { players: 0, totals: 0, diffs: 0, anomalies: 0 });
  t.same(await counts(sql), snapshot);
  t.same(await sql`SELECT * FROM player_totals ORDER BY stat_day`, totalsBefore);
  const [diff] = await sql`SELECT battles FROM player_diffs`;
  t.equal(diff.battles, 4);
});

t.test("a result whose batch was leased again to someone else applies nothing", async (t) => {
  const { sql } = await testDatabase(t);
  const round = await startRound(sql, "2025-03-01");
  const stale = await leaseBatch(sql, round);
  const current = await releaseAndLeaseAgain(sql, stale);

  const outcome = await mergeResults(sql, [result(stale, [player(5001)])]);

  t.same(outcome.batchesDone, []);
  t.same(outcome.rejectedLeases, [stale.leaseId]);
  t.same(outcome.duplicateLeases, []);
  t.same(await counts(sql), { players: 0, totals: 0, diffs: 0, anomalies: 0 });
  const [batch] = await sql`SELECT state, lease_id FROM batches`;
  t.same({ ...batch }, { state: "leased", lease_id: current.leaseId });
  const [agent] = await sql`SELECT batches_done FROM agents`;
  t.equal(agent.batches_done, 0);

  const ok = await mergeResults(sql, [result(current, [player(5001)])]);
  t.same(ok.batchesDone, [stale.batchId]);
});

t.test("an account in two batches of one flush keeps the later fetch", async (t) => {
  const { sql } = await testDatabase(t);
  const base = player(5001);
  await mergeRound(sql, "2025-03-01", [base], mergeResults);
  const round = await startRound(sql, "2025-03-02");
  const early = result(await leaseBatch(sql, round), [played(base, 2)], 1_000_000);
  const late = result(await leaseBatch(sql, round), [played(base, 6)], 2_000_000);

  const outcome = await mergeResults(sql, [late, early]);

  t.equal(outcome.batchesDone.length, 2);
  t.match(outcome, { diffs: 1, anomalies: 0 });
  const [diff] = await sql`SELECT battles FROM player_diffs`;
  t.equal(diff.battles, 6);
});

t.test("two flushes racing on the same accounts count each increase once", async (t) => {
  const { sql } = await testDatabase(t);
  const known = Array.from({ length: 200 }, (_, i) => player(6000 + i));
  await mergeRound(sql, "2025-03-01", known, mergeResults);
  const round = await startRound(sql, "2025-03-02");
  const grown = known.map((p) => played(p, 3));
  const a = result(await leaseBatch(sql, round), grown);
  const b = result(await leaseBatch(sql, round), [...grown].reverse());

  await Promise.all([mergeResults(sql, [a]), mergeResults(sql, [b])]);

  const [sum] = await sql`SELECT count(*) AS n, sum(battles) AS battles FROM player_diffs`;
  t.same({ ...sum }, { n: 200, battles: 600 });
});
