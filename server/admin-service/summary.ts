import type { DailySummary, GetDailySummaryRequest } from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import { checkStatDay } from "./rounds";
import type { AdminContext } from "./handlers";

async function getDailySummary(
  req: GetDailySummaryRequest,
  ctx: AdminContext,
): Promise<DailySummary> {
  let statDay = req.statDay;
  if (!statDay) {
    const [latest] = await ctx.sql`
      SELECT stat_day::text AS d FROM rounds WHERE state = 'done' ORDER BY id DESC LIMIT 1`;
    if (!latest) throw new TrackerError("NOT_FOUND", "no round has finished yet; pass stat_day");
    statDay = latest.d;
  }
  checkStatDay(statDay);
  const [measured] = await ctx.sql`SELECT 1 FROM rounds WHERE stat_day = ${statDay} LIMIT 1`;
  if (!measured) throw new TrackerError("NOT_FOUND", `no round has measured stat day ${statDay}`);
  const rows = await ctx.sql`
    SELECT p.platform,
           coalesce(a.players_active, 0) AS players_active,
           coalesce(a.battles, 0) AS battles,
           (SELECT count(*) FROM players x
             WHERE x.platform = p.platform
               AND x.created_at >= ${statDay}::date::timestamp AT TIME ZONE 'UTC'
               AND x.created_at < (${statDay}::date + 1)::timestamp AT TIME ZONE 'UTC') AS new_accounts,
           (SELECT count(*) FROM players x WHERE x.platform = p.platform) AS accounts
      FROM (VALUES ('xbox'), ('ps')) AS p(platform)
      LEFT JOIN daily_activity a ON a.platform = p.platform AND a.stat_day = ${statDay}
     ORDER BY p.platform DESC`;
  return {
    statDay,
    platforms: rows.map((r) => ({
      platform: r.platform,
      playersActive: Number(r.players_active),
      battles: Number(r.battles),
      newAccounts: Number(r.new_accounts),
      accounts: Number(r.accounts),
    })),
  };
}

export const summaryCalls = { getDailySummary };
