import type { TransactionSql } from "postgres";
import { topProbe, type RealmKnowledge } from "./realm-knowledge";

// LIMITATION: a batch that fails for good in a full sweep leaves its ids unknown until the
// discovery slice that holds them comes round again.
/**
 * Inserts one realm's batches for a round. Until a full sweep of the realm has finished, the
 * realm is cut into contiguous ranges of batchSize ids. After that a round asks only for:
 * - every id known to exist (a row in players),
 * - the unknown ids of one discovery slice: blocks of batchSize ids whose block number is this
 *   round's slice modulo discovery_every_rounds, so every id is re-checked every N rounds,
 * - the top probe past the highest known id (the realm's last_id grows to cover it),
 * all packed batchSize to a batch in id order. Returns the batches inserted.
 */
export async function planRealm(
  tx: TransactionSql,
  roundId: number,
  realm: RealmKnowledge,
  batchSize: number,
): Promise<number> {
  if (!realm.swept || realm.highestKnownId === null) return planSweep(tx, roundId, realm, batchSize);

  const top = topProbe(realm);
  const lastId = Math.max(realm.lastId, top.to);
  if (lastId > realm.lastId) {
    await tx`UPDATE realms SET last_id = ${lastId}, updated_at = now() WHERE id = ${realm.realmId}`;
  }
  const every = realm.discoveryEveryRounds;
  const slice = realm.denseRounds % every;
  const sliceStart = realm.firstId + slice * batchSize;

  // UNION removes ids that are both known and in the slice or the probe. 9 M known ids of a
  // full realm pack in one statement; it runs once a day.
  const [{ batches, known }] = await tx`
    WITH known AS (
      SELECT account_id AS id FROM players
       WHERE platform = ${realm.platform} AND account_id BETWEEN ${realm.firstId} AND ${lastId}
    ), ids AS (
      SELECT id FROM known
      UNION
      SELECT s.id
        FROM generate_series(${sliceStart}::bigint, ${lastId}::bigint, ${every * batchSize}::bigint) AS b (start),
             LATERAL generate_series(b.start, LEAST(b.start + ${batchSize - 1}, ${lastId})) AS s (id)
      UNION
      SELECT generate_series(${top.from}::bigint, ${top.to}::bigint)
    ), numbered AS (
      SELECT id, (row_number() OVER (ORDER BY id) - 1) / ${batchSize} AS g FROM ids
    ), inserted AS (
      INSERT INTO batches (round_id, realm_id, first_id, last_id, account_ids)
      SELECT ${roundId}, ${realm.realmId}, min(id), max(id), array_agg(id ORDER BY id)
        FROM numbered GROUP BY g
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM inserted)::int AS batches, (SELECT count(*) FROM known)::int AS known`;

  await tx`
    INSERT INTO round_realms (round_id, realm_id, mode, known_ids, discovery_slice, top_from, top_to)
    VALUES (${roundId}, ${realm.realmId}, 'dense', ${known}, ${slice}, ${top.from}, ${top.to})`;
  return batches;
}

async function planSweep(
  tx: TransactionSql,
  roundId: number,
  realm: RealmKnowledge,
  batchSize: number,
): Promise<number> {
  const [{ batches }] = await tx`
    WITH inserted AS (
      INSERT INTO batches (round_id, realm_id, first_id, last_id)
      SELECT ${roundId}, ${realm.realmId}, s.first_id, LEAST(s.first_id + ${batchSize} - 1, ${realm.lastId})
        FROM generate_series(${realm.firstId}::bigint, ${realm.lastId}::bigint, ${batchSize}::bigint)
             AS s (first_id)
      RETURNING 1
    )
    SELECT count(*)::int AS batches FROM inserted`;
  await tx`
    INSERT INTO round_realms (round_id, realm_id, mode) VALUES (${roundId}, ${realm.realmId}, 'sweep')`;
  return batches;
}
