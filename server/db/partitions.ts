import type { Sql } from "./pool";

/** Key of the advisory lock under which partitions are created. */
const PARTITION_LOCK_KEY = 7_201_914_002;
const PARTITIONED_TABLES = ["player_totals", "player_diffs"] as const;
const STAT_DAY = /^(\d{4})-(\d{2})-\d{2}$/;

/** Months known to have their partitions, per pool, so the check costs nothing after once. */
const knownMonths = new WeakMap<Sql, Set<string>>();

/**
 * Creates the monthly partitions of player_totals and player_diffs for the month of statDay and
 * the month after it. Idempotent; two servers calling it at once serialise on an advisory lock,
 * because two concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
 */
export async function ensurePartitions(sql: Sql, statDay: string): Promise<void> {
  const months = [monthStart(statDay, 0), monthStart(statDay, 1)];
  const known = knownMonths.get(sql) ?? new Set<string>();
  knownMonths.set(sql, known);
  const missing = months.filter((month) => !known.has(month));
  if (missing.length === 0) return;

  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`;
    for (const month of missing) {
      const end = monthStart(month, 1);
      for (const table of PARTITIONED_TABLES) {
        const name = `${table}_${month.slice(0, 4)}_${month.slice(5, 7)}`;
        // DDL takes no parameters; month and end are 'YYYY-MM-01' strings made by monthStart.
        await tx.unsafe(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} ` +
            `FOR VALUES FROM ('${month}') TO ('${end}')`,
        );
      }
    }
  });
  missing.forEach((month) => known.add(month));
}

/** Forgets what is cached for a pool, for tests that drop partitions or databases. */
export function forgetPartitions(sql: Sql): void {
  knownMonths.delete(sql);
}

/** 'YYYY-MM-01' of the month `offset` months after the month of statDay. */
export function monthStart(statDay: string, offset: number): string {
  const match = STAT_DAY.exec(statDay);
  if (!match) throw new Error(`stat day ${JSON.stringify(statDay)} is not YYYY-MM-DD`);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1 + offset, 1));
  return date.toISOString().slice(0, 10);
}
