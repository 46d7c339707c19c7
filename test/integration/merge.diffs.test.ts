import t from "tap";
import { mergeResults } from "../../server/ingest/merge";
import {
  counts,
  leaseBatch,
  mergeRound,
  played,
  player,
  result,
  startRound,
  unix,
} from "./ingest-fixtures";
import { testDatabase } from "../support/pg";

t.test("a player seen for the first time gets a baseline and no diff", async (t) => {
  const { sql } = await testDatabase(t);
  const round = await startRound(sql, "2025-03-01");
  const batch = await leaseBatch(sql, round);

  const outcome = await mergeResults(sql, [result(batch, [player(5001), player(5002)])]);

  t.same(outcome.batchesDone, [batch.batchId]);
  t.same(outcome.rejectedLeases, []);
  t.match(outcome, { players: 2, totals: 2, diffs: 0, anomalies: 0 });
  const totals = await sql`SELECT * FROM player_totals ORDER BY account_id`;
  t.match(totals, [
    { account_id: 5001, stat_day: "2025-03-01", baseline: true, battles: 100, platform: "xbox" },
    { account_id: 5002, baseline: true },
  ]);
  const [batchRow] = await sql`SELECT state, players_found FROM batches`;
  t.same({ ...batchRow }, { state: "done", players_found: 2 });
  const [agent] = await sql`SELECT batches_done FROM agents`;
  t.equal(agent.batches_done, 1);
});

t.test("growth gives a diff with every counter's increase", async (t) => {
  const { sql } = await testDatabase(t);
  const before = player(5001);
  await mergeRound(sql, "2025-03-01", [before], mergeResults);
  const after = played(before, 7);

  const outcome = await mergeResults(sql, [
    result(await leaseBatch(sql, await startRound(sql, "2025-03-02")), [after]),
  ]);

  t.match(outcome, { players: 1, totals: 1, diffs: 1, anomalies: 0 });
  const [diff] = await sql`SELECT * FROM player_diffs`;
  t.match(diff, {
    account_id: 5001, stat_day: "2025-03-02", platform: "xbox", new_account: false,
    battles: 7, wins: 3, spotted: 7, damage_dealt: 4900, frags: 7, dropped_capture_points: 1,
  });
  const [totals] = await sql`SELECT * FROM player_totals WHERE stat_day = '2025-03-02'`;
  const lastBattle = new Date(after.lastBattleTime * 1000);
  t.match(totals, { battles: 107, baseline: false, last_battle_time: lastBattle });
  const [row] = await sql`SELECT battles, damage_dealt, nickname FROM players`;
  t.same({ ...row }, { battles: 107, damage_dealt: 74900, nickname: "player_5001" });
});

t.test("a second growth on one stat day adds to the diff and replaces the totals", async (t) => {
  const { sql } = await testDatabase(t);
  const first = player(5001);
  await mergeRound(sql, "2025-03-01", [first], mergeResults);
  const round = await startRound(sql, "2025-03-02");
  await mergeResults(sql, [result(await leaseBatch(sql, round), [played(first, 3)])]);

  await mergeResults(sql, [result(await leaseBatch(sql, round), [played(first, 10)])]);

  const [diff] = await sql`SELECT battles, frags FROM player_diffs`;
  t.same({ ...diff }, { battles: 10, frags: 10 });
  const totals = await sql`SELECT battles FROM player_totals WHERE stat_day = '2025-03-02'`;
  t.same(totals.map((r) => r.battles), [110]);
});

t.test("an account created after the previous round counts all its battles", async (t) => {
  const { sql } = await testDatabase(t);
  await startRound(sql, "2025-03-01");
  const round = await startRound(sql, "2025-03-02");
  const fresh = player(9001, { createdAt: unix("2025-03-02T00:00:00Z"), battles: 4, wins: 1 });
  const oldButUnseen = player(9002, { createdAt: unix("2025-03-01T23:59:59Z"), battles: 4 });
  const freshIdle = player(9003, { createdAt: unix("2025-03-02T05:00:00Z"), battles: 0 });

  const outcome = await mergeResults(sql, [
    result(await leaseBatch(sql, round), [fresh, oldButUnseen, freshIdle]),
  ]);

  t.match(outcome, { players: 3, totals: 3, diffs: 1 });
  const diffs = await sql`SELECT * FROM player_diffs`;
  t.match(diffs, [{ account_id: 9001, new_account: true, battles: 4, wins: 1, frags: 90 }]);
  const totals = await sql`SELECT account_id, baseline FROM player_totals ORDER BY account_id`;
  const baselines = totals.map((r) => [r.account_id, r.baseline]);
  t.same(baselines, [[9001, false], [9002, true], [9003, true]]);
});

t.test("without an earlier round every first sighting is a baseline", async (t) => {
  const { sql } = await testDatabase(t);
  const round = await startRound(sql, "2025-03-02");
  const fresh = player(9001, { createdAt: unix("2025-03-02T03:00:00Z"), battles: 4 });

  const outcome = await mergeResults(sql, [result(await leaseBatch(sql, round), [fresh])]);

  t.match(outcome, { totals: 1, diffs: 0 });
});

t.test("a player without statistics is stored without totals, keeping counters", async (t) => {
  const { sql } = await testDatabase(t);
  const round = await startRound(sql, "2025-03-01");
  const hidden = player(5003, { hasStatistics: false, battles: 0, wins: 0 });
  const known = player(5004);
  await mergeResults(sql, [result(await leaseBatch(sql, round), [hidden, known])]);
  const row = await sql`SELECT account_id, battles, nickname FROM players ORDER BY account_id`;
  t.same(row.map((r) => ({ ...r })), [
    { account_id: 5003, battles: null, nickname: "player_5003" },
    { account_id: 5004, battles: 100, nickname: "player_5004" },
  ]);

  const renamed = { ...known, hasStatistics: false, nickname: "renamed", battles: 0 };
  const outcome = await mergeResults(sql, [result(await leaseBatch(sql, round), [renamed])]);

  t.match(outcome, { players: 1, totals: 0, diffs: 0, anomalies: 0 });
  const [after] = await sql`SELECT battles, nickname FROM players WHERE account_id = 5004`;
  t.same({ ...after }, { battles: 100, nickname: "renamed" });
  t.match(await counts(sql), { totals: 1 });
});

t.test("a player whose statistics appear later gets its baseline then", async (t) => {
  const { sql } = await testDatabase(t);
  const round = await startRound(sql, "2025-03-01");
  const hidden = player(5003, { hasStatistics: false });
  await mergeResults(sql, [result(await leaseBatch(sql, round), [hidden])]);

  const outcome = await mergeResults(sql, [
    result(await leaseBatch(sql, await startRound(sql, "2025-03-02")), [player(5003)]),
  ]);

  t.match(outcome, { players: 1, totals: 1, diffs: 0 });
  const [totals] = await sql`SELECT baseline, stat_day FROM player_totals`;
  t.same({ ...totals }, { baseline: true, stat_day: "2025-03-02" });
});

t.test("nicknames with tabs, newlines and backslashes survive COPY", async (t) => {
  const { sql } = await testDatabase(t);
  const round = await startRound(sql, "2025-03-01");
  const nickname = "a\tb\\c\nd\re\\N";
  await mergeResults(sql, [result(await leaseBatch(sql, round), [player(5001, { nickname })])]);
  const [row] = await sql`SELECT nickname FROM players`;
  t.equal(row.nickname, nickname);
});
