import type { Sql, TransactionSql } from "postgres";

/** What the tracker knows of one realm when it plans a round. */
export interface RealmKnowledge {
  realmId: number;
  platform: "xbox" | "ps";
  firstId: number;
  lastId: number;
  discoveryEveryRounds: number;
  topProbeIds: number;
  /** True once a round that swept the whole realm has finished. */
  swept: boolean;
  /** Dense rounds planned for the realm so far: picks this round's discovery slice. */
  denseRounds: number;
  /** Highest account id stored for the realm's platform, or null. */
  highestKnownId: number | null;
  /** Where the previous dense round's top probe started, or null. */
  previousTopFrom: number | null;
}

/** Reads every enabled realm with what planning needs. */
export async function readRealmKnowledge(sql: Sql | TransactionSql): Promise<RealmKnowledge[]> {
  const rows = await sql`
    SELECT m.id, m.platform, m.first_id, m.last_id, m.discovery_every_rounds, m.top_probe_ids,
           EXISTS (SELECT 1 FROM round_realms rr JOIN rounds r ON r.id = rr.round_id
                    WHERE rr.realm_id = m.id AND rr.mode = 'sweep' AND r.state = 'done') AS swept,
           (SELECT count(*) FROM round_realms rr
             WHERE rr.realm_id = m.id AND rr.mode = 'dense')::int AS dense_rounds,
           (SELECT max(account_id) FROM players p WHERE p.platform = m.platform) AS highest,
           (SELECT rr.top_from FROM round_realms rr
             WHERE rr.realm_id = m.id AND rr.mode = 'dense'
             ORDER BY rr.round_id DESC LIMIT 1) AS previous_top_from
      FROM realms m WHERE m.enabled ORDER BY m.id`;
  return rows.map((r) => ({
    realmId: Number(r.id),
    platform: r.platform,
    firstId: Number(r.first_id),
    lastId: Number(r.last_id),
    discoveryEveryRounds: Number(r.discovery_every_rounds),
    topProbeIds: Number(r.top_probe_ids),
    swept: Boolean(r.swept),
    denseRounds: Number(r.dense_rounds),
    highestKnownId: r.highest === null ? null : Number(r.highest),
    previousTopFrom: r.previous_top_from === null ? null : Number(r.previous_top_from),
  }));
}

/**
 * The ids past the highest known account probed this round: topProbeIds of them, or twice the
 * distance the top moved since the last probe when accounts appear faster than that, so the
 * probe keeps ahead of a realm that grows quickly.
 */
export function topProbe(realm: RealmKnowledge): { from: number; to: number } {
  const highest = realm.highestKnownId ?? realm.firstId - 1;
  const grewBy = realm.previousTopFrom === null ? 0 : Math.max(0, highest - realm.previousTopFrom + 1);
  const size = Math.max(realm.topProbeIds, 2 * grewBy);
  return { from: highest + 1, to: highest + size };
}
