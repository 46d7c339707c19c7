import type { Sql, TransactionSql } from "postgres";

/** A batch handed to one agent until its deadline. */
export interface Lease {
  leaseId: number;
  batchId: number;
  roundId: number;
  statDay: string;
  platform: "xbox" | "ps";
  accountIds: number[];
  deadlineMs: number;
}

/*
 * Query shapes, measured on a 20,000-batch round: "round_id = (SELECT ...)" (one round runs at
 * a time, rounds_one_active) lets the pending batches be read in index order up to the LIMIT;
 * "round_id IN (SELECT ...)" joined and sorted every pending batch first (16 ms a query before
 * the table was analyzed, 4 ms after). The id list repeated as "b.id = ANY(...)" gives the
 * UPDATE an index lookup where the join on unnest() alone was planned as a scan of all batches
 * (7 ms, growing with the round).
 */

/** A second fetch must come from another agent; past this wait any agent may make it. */
const DEFAULT_VERIFY_WAIT_MS = 600_000;

/**
 * Leases up to n pending batches of running rounds to an agent. SKIP LOCKED lets several
 * coordinators claim from one table without waiting on each other; batches are taken in id
 * order so a round sweeps each realm from its bottom up.
 */
export async function leaseBatches(
  sql: Sql,
  agentId: string,
  n: number,
  ttlMs: number,
  /** How long a batch under verification is kept from the agents that fetched it already. */
  verifyWaitMs = DEFAULT_VERIFY_WAIT_MS,
): Promise<Lease[]> {
  return (await leaseRows(sql, agentId, n, ttlMs, verifyWaitMs, [])).map(toLease);
}

/** leaseBatches, passing over the batches `taken`; the rows as PostgreSQL returns them. */
async function leaseRows(
  sql: Sql | TransactionSql,
  agentId: string,
  n: number,
  ttlMs: number,
  verifyWaitMs: number,
  taken: number[],
): Promise<Record<string, unknown>[]> {
  if (n <= 0) return [];
  return sql`
    UPDATE batches b
       SET state = 'leased',
           lease_id = nextval('lease_ids'),
           agent_id = ${agentId},
           lease_expires = now() + ${ttlMs} * interval '1 millisecond',
           attempts = b.attempts + 1
      FROM rounds r, realms m
     WHERE b.id IN (SELECT id FROM batches
                     WHERE state = 'pending'
                       AND round_id = (SELECT id FROM rounds WHERE state = 'running')
                       AND (verify_agents IS NULL OR NOT ${agentId} = ANY(verify_agents)
                            OR verify_since < now() - ${verifyWaitMs} * interval '1 millisecond')
                       AND NOT id = ANY(${taken}::bigint[])
                     ORDER BY round_id, id
                     LIMIT ${n}
                       FOR UPDATE SKIP LOCKED)
       AND r.id = b.round_id
       AND m.id = b.realm_id
    RETURNING b.id, b.lease_id, b.round_id, r.stat_day, m.platform, b.first_id, b.last_id,
              b.account_ids, extract(epoch FROM b.lease_expires) * 1000 AS deadline_ms`;
}

function toLease(row: Record<string, unknown>): Lease {
  return {
    leaseId: Number(row.lease_id),
    batchId: Number(row.id),
    roundId: Number(row.round_id),
    statDay: formatDay(row.stat_day),
    platform: row.platform as Lease["platform"],
    accountIds: row.account_ids
      ? (row.account_ids as (string | number)[]).map(Number)
      : range(Number(row.first_id), Number(row.last_id)),
    deadlineMs: Math.floor(Number(row.deadline_ms)),
  };
}

function range(first: number, last: number): number[] {
  const ids = new Array<number>(last - first + 1);
  for (let i = 0; i < ids.length; i++) ids[i] = first + i;
  return ids;
}

function formatDay(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}

/**
 * Gives leases back at once (stream dropped, agent banned, or the agent returned them).
 * counted=false undoes the attempt, for leases returned untried.
 */
export async function releaseLeases(
  sql: Sql,
  leaseIds: number[],
  reason: string,
  counted: boolean,
): Promise<number> {
  if (leaseIds.length === 0) return 0;
  const rows = await sql`
    UPDATE batches
       SET state = 'pending', lease_id = NULL, agent_id = NULL, lease_expires = NULL,
           last_error = ${reason},
           attempts = CASE WHEN ${counted} THEN attempts ELSE greatest(attempts - 1, 0) END
     WHERE lease_id = ANY(${leaseIds}::bigint[]) AND state = 'leased'
    RETURNING id`;
  return rows.length;
}

/** Records a failed attempt: back to pending, or failed once maxAttempts leases were used. */
export async function failLease(
  sql: Sql,
  leaseId: number,
  error: string,
  maxAttempts: number,
  fatal: boolean,
): Promise<"pending" | "failed" | "stale"> {
  // A fatal answer (bad key, wrong URL) says nothing about the batch, so it costs no attempt.
  const [row] = await sql`
    UPDATE batches
       SET state = CASE WHEN NOT ${fatal} AND attempts >= ${maxAttempts} THEN 'failed'
                        ELSE 'pending' END,
           attempts = CASE WHEN ${fatal} THEN greatest(attempts - 1, 0) ELSE attempts END,
           lease_id = NULL, agent_id = NULL, lease_expires = NULL, last_error = ${error}
     WHERE lease_id = ${leaseId} AND state = 'leased'
    RETURNING state`;
  return row ? row.state : "stale";
}

/** One dispatcher grant request: an agent and how many batches it may take now. */
export interface LeaseWant {
  agentId: string;
  n: number;
}

/**
 * Leases batches to many agents in one transaction of two statements: the pending batches are
 * locked in the order leaseBatches takes them, paired with the agents' credit in turns (each
 * agent's first batch before anyone's second), and a batch under verification goes to the next
 * agent that has not fetched it yet. Returns the leases of each want, in the wants' order.
 */
export async function leaseBatchesToMany(
  sql: Sql,
  wants: LeaseWant[],
  ttlMs: number,
  verifyWaitMs = DEFAULT_VERIFY_WAIT_MS,
): Promise<Lease[][]> {
  const total = wants.reduce((sum, w) => sum + Math.max(0, w.n), 0);
  const leases: Lease[][] = wants.map(() => []);
  if (total === 0) return leases;
  const agentIds = wants.map((w) => w.agentId);
  const rows = await sql.begin(async (tx) => {
    const candidates = await tx`
      SELECT id,
             CASE WHEN verify_since >= now() - ${verifyWaitMs} * interval '1 millisecond'
                  THEN verify_agents END AS kept_from
        FROM batches
       WHERE state = 'pending'
         AND round_id = (SELECT id FROM rounds WHERE state = 'running')
         AND (verify_agents IS NULL OR NOT verify_agents @> ${agentIds}::text[]
              OR verify_since < now() - ${verifyWaitMs} * interval '1 millisecond')
       ORDER BY round_id, id
       LIMIT ${total}
         FOR UPDATE SKIP LOCKED`;
    const pairs = pairBatches(
      candidates.map((c) => ({ id: Number(c.id), keptFrom: (c.kept_from as string[] | null) ?? [] })),
      wants,
    );
    // Candidates kept from the agents whose credit was left are skipped; those agents ask alone
    // (SKIP LOCKED passes over no row this transaction holds), as leaseBatches would.
    const extra: Record<string, unknown>[] = [];
    if (pairs.batchIds.length < candidates.length) {
      for (const [i, w] of wants.entries()) {
        const short = Math.max(0, w.n) - pairs.wantIndexes.filter((x) => x === i).length;
        const rows = await leaseRows(tx, w.agentId, short, ttlMs, verifyWaitMs, pairs.batchIds);
        extra.push(...rows.map((row) => ({ ...row, want_index: i })));
      }
    }
    if (pairs.batchIds.length === 0) return extra;
    const paired = await tx`
      UPDATE batches b
         SET state = 'leased',
             lease_id = nextval('lease_ids'),
             agent_id = p.agent_id,
             lease_expires = now() + ${ttlMs} * interval '1 millisecond',
             attempts = b.attempts + 1
        FROM unnest(${pairs.batchIds}::bigint[], ${pairs.agentIds}::text[],
                    ${pairs.wantIndexes}::int[]) AS p(batch_id, agent_id, want_index),
             rounds r, realms m
       WHERE b.id = p.batch_id
         AND b.id = ANY(${pairs.batchIds}::bigint[])
         AND r.id = b.round_id
         AND m.id = b.realm_id
      RETURNING p.want_index, b.id, b.lease_id, b.round_id, r.stat_day, m.platform, b.first_id,
                b.last_id, b.account_ids, extract(epoch FROM b.lease_expires) * 1000 AS deadline_ms`;
    return [...paired, ...extra];
  });
  for (const row of rows) leases[Number(row.want_index)].push(toLease(row));
  for (const list of leases) list.sort((a, b) => a.batchId - b.batchId);
  return leases;
}

interface Candidate {
  id: number;
  /** Agents that fetched this batch under verification already. */
  keptFrom: string[];
}

/** Pairs batches (in order) with the wants' credit taken in turns, skipping kept-from agents. */
function pairBatches(candidates: Candidate[], wants: LeaseWant[]) {
  const slots: number[] = [];
  const most = Math.max(...wants.map((w) => w.n));
  for (let turn = 0; turn < most; turn++) {
    wants.forEach((w, i) => {
      if (turn < w.n) slots.push(i);
    });
  }
  const taken = new Array<boolean>(slots.length).fill(false);
  const batchIds: number[] = [];
  const agentIds: string[] = [];
  const wantIndexes: number[] = [];
  let firstFree = 0;
  for (const batch of candidates) {
    while (firstFree < slots.length && taken[firstFree]) firstFree++;
    let slot = firstFree;
    const kept = (at: number) => batch.keptFrom.includes(wants[slots[at]].agentId);
    while (slot < slots.length && (taken[slot] || kept(slot))) slot++;
    if (slot >= slots.length) continue;
    taken[slot] = true;
    batchIds.push(batch.id);
    agentIds.push(wants[slots[slot]].agentId);
    wantIndexes.push(slots[slot]);
  }
  return { batchIds, agentIds, wantIndexes };
}
