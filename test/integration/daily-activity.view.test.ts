import t from "tap";
import { mergeResults } from "../../server/ingest/merge";
import { leaseBatch, played, player, result, startRound, unix } from "./ingest-fixtures";
import { testDatabase } from "../support/pg";

t.test("daily_activity gives players_active, battles and new_accounts per platform", async (t) => {
  const { sql } = await testDatabase(t);
  const xbox = [player(5001), player(5002), player(5003)];
  const ps = [player(1073740001), player(1073740002)];
  const day1 = await startRound(sql, "2025-03-01");
  await mergeResults(sql, [
    result(await leaseBatch(sql, day1, "xbox"), xbox),
    result(await leaseBatch(sql, day1, "ps"), ps),
  ]);

  const day2 = await startRound(sql, "2025-03-02");
  const newcomer = player(5004, { createdAt: unix("2025-03-02T08:00:00Z"), battles: 6 });
  await mergeResults(sql, [
    result(await leaseBatch(sql, day2, "xbox"), [
      played(xbox[0], 3), played(xbox[1], 2), xbox[2], newcomer,
    ]),
    result(await leaseBatch(sql, day2, "ps"), [played(ps[0], 10), ps[1]]),
  ]);

  const rows = await sql`SELECT * FROM daily_activity ORDER BY stat_day, platform`;
  t.same(rows.map((r) => ({ ...r })), [
    { stat_day: "2025-03-02", platform: "ps", players_active: 1, battles: 10, new_accounts: 0 },
    { stat_day: "2025-03-02", platform: "xbox", players_active: 3, battles: 11, new_accounts: 1 },
  ]);
});
