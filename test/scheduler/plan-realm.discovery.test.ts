import t from "tap";
import type { Sql } from "postgres";
import { startCluster } from "../support/cluster";
import type { Simulation } from "../sim/simulation";

/** Ids of accounts that existed at the end of `day`, per platform, from the simulator itself. */
function accountsAt(sim: Simulation, day: number): number[] {
  const end = sim.calendar.dayEnd(day);
  const ids: number[] = [];
  for (const pop of Object.values(sim.populations)) {
    for (let offset = 0; offset < pop.length; offset++) {
      const created = pop.createdAt[offset];
      if (created !== 0 && created < end) ids.push(pop.firstId + offset);
    }
  }
  return ids;
}

async function missing(sql: Sql, ids: number[]): Promise<number[]> {
  const rows = await sql`
    SELECT id FROM unnest(${ids}::bigint[]) AS id
     WHERE NOT EXISTS (SELECT 1 FROM players p WHERE p.account_id = id)`;
  return rows.map((r) => Number(r.id));
}

/** Players known before the round was planned that none of its batches asks for. */
async function knownSkipped(sql: Sql, roundId: number): Promise<number> {
  const [{ n }] = await sql`
    SELECT count(*)::int AS n FROM players p, rounds r
     WHERE r.id = ${roundId} AND p.first_seen < r.created_at
       AND NOT EXISTS (SELECT 1 FROM batches b
                        WHERE b.round_id = r.id
                          AND (p.account_id = ANY (b.account_ids)
                               OR (b.account_ids IS NULL AND p.account_id BETWEEN b.first_id AND b.last_id)))`;
  return n;
}

t.test("after a full sweep, rounds pack known ids densely and discovery finds accounts at the top and in old ranges", async (t) => {
  const cluster = await startCluster(t, {
    sim: { idsPerPlatform: 3000, reappearPerDay: 0.01, newAccountsPerDay: 0.01 },
    realmHeadroom: 50,
  });
  const { sql } = cluster.db;
  cluster.startAgent("discovery-a");
  const sim = cluster.sim.sim;

  const round1 = await cluster.runRound(sim.truth(1).date);
  t.same(await missing(sql, accountsAt(sim, 1)), [], "the first round, a full sweep, finds every account");
  await sql`UPDATE realms SET discovery_every_rounds = 2, top_probe_ids = 300`;
  const [before] = await sql`SELECT last_id FROM realms WHERE platform = 'xbox'`;

  const highestDay1 = sim.truth(1).xbox.highestId;
  sim.advanceDay();
  const round2 = await cluster.runRound(sim.truth(2).date);
  const day2 = accountsAt(sim, 2);
  const [packing] = await sql`
    SELECT count(*)::int AS batches,
           count(*) FILTER (WHERE cardinality(account_ids) < 100)::int AS partial,
           count(*) FILTER (WHERE account_ids IS NULL)::int AS ranges
      FROM batches WHERE round_id = ${round2}`;
  t.equal(packing.ranges, 0, "round 2 asks only for listed ids, no contiguous ranges");
  t.ok(packing.partial <= 2, `only each realm's last batch holds fewer than 100 ids (${packing.partial} of ${packing.batches})`);
  t.equal(await knownSkipped(sql, round2), 0, "round 2 asks for every id known before it");
  const topIds = day2.filter((id) => id > highestDay1 && id < sim.options.psFirstId);
  t.ok(topIds.length > 0, "the simulator opened accounts above the old top");
  t.same(await missing(sql, topIds), [], "round 2 finds every account opened above the old top");
  const [after] = await sql`SELECT last_id FROM realms WHERE platform = 'xbox'`;
  t.ok(Number(after.last_id) > Number(before.last_id), "the realm grew past its configured top");

  const reappeared = day2.filter((id) => !accountsAt(sim, 1).includes(id) && !topIds.includes(id));
  t.ok(reappeared.length > 10, `${reappeared.length} accounts appeared at old empty ids`);
  const lateAfterRound2 = await missing(sql, reappeared);
  t.ok(lateAfterRound2.length < reappeared.length, "one discovery slice already finds some of them");

  sim.advanceDay();
  const round3 = await cluster.runRound(sim.truth(3).date);
  t.equal(await knownSkipped(sql, round3), 0, "round 3 asks for every id known before it");
  t.same(await missing(sql, day2), [], "after two slices, every account of day 2 is found");
});
