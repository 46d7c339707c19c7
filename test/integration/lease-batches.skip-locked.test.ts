import t from "tap";
import postgres from "postgres";
import { planRound, RoundConflictError } from "../../server/scheduler/plan-round";
import {
  failLease,
  leaseBatches,
  leaseBatchesToMany,
  releaseLeases,
} from "../../server/scheduler/lease-batches";
import { expireLeases, finishRounds } from "../../server/scheduler/expire-leases";
import { testDatabase } from "../support/pg";
import type { Sql } from "../../server/db/pool";

async function realms(sql: Sql, xbox: [number, number], ps: [number, number]): Promise<void> {
  await sql`INSERT INTO realms (platform, first_id, last_id) VALUES
            ('xbox', ${xbox[0]}, ${xbox[1]}), ('ps', ${ps[0]}, ${ps[1]})`;
}

t.test("a round cuts each enabled realm into contiguous batches of at most 100 ids", async (t) => {
  const { sql } = await testDatabase(t);
  await realms(sql, [5000, 6049], [1_073_740_000, 1_073_740_099]);

  const round = await planRound(sql, "2026-11-01", 100);
  t.equal(round.batchesTotal, 12, "11 Xbox batches and 1 PlayStation batch");

  const rows = await sql`SELECT first_id, last_id FROM batches ORDER BY first_id`;
  t.same(rows[0], { first_id: 5000, last_id: 5099 });
  t.same(rows[10], { first_id: 6000, last_id: 6049 }, "the last batch stops at the realm's end");
  t.same(rows[11], { first_id: 1_073_740_000, last_id: 1_073_740_099 });
  const covered = rows.reduce((n, r) => n + (Number(r.last_id) - Number(r.first_id) + 1), 0);
  t.equal(covered, 1050 + 100, "every id of both realms is in exactly one batch");

  await t.rejects(planRound(sql, "2026-11-02", 100), RoundConflictError, "a second round waits for the first");
});

t.test("two coordinators leasing at once never get the same batch", async (t) => {
  const { sql, url } = await testDatabase(t);
  await realms(sql, [5000, 44_999], [1_073_740_000, 1_073_740_999]);
  const { batchesTotal } = await planRound(sql, "2026-11-01", 100);

  const other = postgres(url, { max: 4 }) as unknown as Sql;
  t.teardown(() => other.end({ timeout: 5 }));
  const seen: number[] = [];
  const claimer = async (db: Sql, agent: string) => {
    for (;;) {
      const leases = await leaseBatches(db, agent, 3, 60_000);
      if (leases.length === 0) return;
      seen.push(...leases.map((l) => l.batchId));
    }
  };
  await Promise.all([1, 2, 3, 4].flatMap((i) => [claimer(sql, `a${i}`), claimer(other, `b${i}`)]));

  t.equal(seen.length, batchesTotal, "every batch was leased");
  t.equal(new Set(seen).size, seen.length, "no batch was leased twice");
  const [{ n }] = await sql`SELECT count(DISTINCT lease_id)::int AS n FROM batches`;
  t.equal(n, batchesTotal, "each lease has its own id");
});

t.test("an expired lease returns its batch, and fails it after the last attempt", async (t) => {
  const { sql } = await testDatabase(t);
  await realms(sql, [5000, 5099], [1_073_740_000, 1_073_740_099]);
  await planRound(sql, "2026-11-01", 100);

  const [first] = await leaseBatches(sql, "slow-agent", 1, 1);
  await new Promise((r) => setTimeout(r, 20));
  const expired = await expireLeases(sql, 2);
  t.same(expired.map((e) => [e.leaseId, e.agentId, e.state]), [[first.leaseId, "slow-agent", "pending"]]);

  const [again] = await leaseBatches(sql, "slow-agent", 1, 1);
  t.equal(again.batchId, first.batchId, "the same batch is leased again");
  t.not(again.leaseId, first.leaseId, "under a new lease id");
  await new Promise((r) => setTimeout(r, 20));
  const [gone] = await expireLeases(sql, 2);
  t.equal(gone.state, "failed", "the second expiry is the last attempt");
  const [row] = await sql`SELECT state, attempts, last_error FROM batches WHERE id = ${first.batchId}`;
  t.same(row, { state: "failed", attempts: 2, last_error: "lease expired" });
});

t.test("returned leases cost no attempt; failed ones do, fatal ones do not", async (t) => {
  const { sql } = await testDatabase(t);
  await realms(sql, [5000, 5099], [1_073_740_000, 1_073_740_099]);
  await planRound(sql, "2026-11-01", 100);

  const [a] = await leaseBatches(sql, "agent", 1, 60_000);
  t.equal(await releaseLeases(sql, [a.leaseId], "returned by agent", false), 1);
  let [row] = await sql`SELECT state, attempts FROM batches WHERE id = ${a.batchId}`;
  t.same(row, { state: "pending", attempts: 0 }, "a returned lease is not an attempt");

  const [b] = await leaseBatches(sql, "agent", 1, 60_000);
  t.equal(await failLease(sql, b.leaseId, "INVALID_APPLICATION_ID", 1, true), "pending", "fatal: retried elsewhere");
  const [c] = await leaseBatches(sql, "agent", 1, 60_000);
  t.equal(await failLease(sql, c.leaseId, "SOURCE_NOT_AVAILABLE", 1, false), "failed", "one attempt allowed");
  [row] = await sql`SELECT state, last_error FROM batches WHERE id = ${c.batchId}`;
  t.same(row, { state: "failed", last_error: "SOURCE_NOT_AVAILABLE" }, "the last error is kept");
  t.equal(await failLease(sql, c.leaseId, "again", 1, false), "stale", "a lease fails only once");
});

t.test("a round is done once no batch is pending or leased", async (t) => {
  const { sql } = await testDatabase(t);
  await realms(sql, [5000, 5199], [1_073_740_000, 1_073_740_099]);
  const { roundId } = await planRound(sql, "2026-11-01", 100);

  const leases = await leaseBatches(sql, "agent", 10, 60_000);
  t.equal(leases.length, 3);
  t.same(await finishRounds(sql), [], "not done while batches are leased");
  await sql`UPDATE batches SET state = 'done' WHERE id IN ${sql(leases.slice(0, 2).map((l) => l.batchId))}`;
  await failLease(sql, leases[2].leaseId, "boom", 1, false);
  t.same(await finishRounds(sql), [{ roundId, statDay: "2026-11-01" }], "done with 2 done and 1 failed");
  t.same(await leaseBatches(sql, "agent", 10, 60_000), [], "a finished round hands out nothing");
});

t.test("one query leases to many agents in turns, not to a batch's verifier", async (t) => {
  const { sql } = await testDatabase(t);
  await realms(sql, [5000, 5599], [1_073_740_000, 1_073_740_099]);
  await planRound(sql, "2026-11-01", 100);
  const [first] = await sql`SELECT id FROM batches ORDER BY round_id, id LIMIT 1`;
  await sql`UPDATE batches SET verify_agents = ARRAY['a'], verify_since = now() WHERE id = ${first.id}`;

  const wants = [{ agentId: "a", n: 2 }, { agentId: "b", n: 1 }, { agentId: "c", n: 3 }];
  const leases = await leaseBatchesToMany(sql, wants, 60_000);
  t.same(leases.map((l) => l.length), [2, 1, 3], "each agent got its credit");
  t.equal(leases[1][0].batchId, Number(first.id), "the batch fetched by a went to the next agent");
  const ids = leases.flat().map((l) => l.batchId);
  t.equal(new Set(ids).size, 6, "no batch twice");
  const owners = await sql`SELECT agent_id, count(*)::int AS n FROM batches
                            WHERE state = 'leased' GROUP BY agent_id ORDER BY agent_id`;
  t.same(owners, [{ agent_id: "a", n: 2 }, { agent_id: "b", n: 1 }, { agent_id: "c", n: 3 }]);

  const rest = await leaseBatchesToMany(sql, [{ agentId: "a", n: 5 }], 60_000);
  t.equal(rest[0].length, 1, "only what is left");
});

t.test("one agent asking alone passes over the batches kept from it", async (t) => {
  const { sql } = await testDatabase(t);
  await realms(sql, [5000, 5399], [1_073_740_000, 1_073_740_099]);
  await planRound(sql, "2026-11-01", 100);
  const kept = await sql`SELECT id FROM batches ORDER BY round_id, id LIMIT 2`;
  await sql`UPDATE batches SET verify_agents = ARRAY['a'], verify_since = now()
             WHERE id IN ${sql(kept.map((k) => k.id))}`;

  const [alone] = await leaseBatchesToMany(sql, [{ agentId: "a", n: 2 }], 60_000);
  t.equal(alone.length, 2, "two batches that were not kept from it");
  const keptIds = kept.map((k) => Number(k.id));
  t.notOk(alone.some((l) => keptIds.includes(l.batchId)), "none of the kept ones");

  const [both] = await leaseBatchesToMany(sql, [{ agentId: "a", n: 1 }, { agentId: "b", n: 1 }], 60_000);
  t.equal(both.length, 1, "a gets the last batch not kept from it");
});
