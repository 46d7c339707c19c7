/**
 * The response fields the tracker stores (DESIGN.md `players` columns). Used when a Config
 * carries no field list, because full objects are several KB per player.
 */
export const TRACKER_FIELDS: readonly string[] = [
  "account_id",
  "nickname",
  "created_at",
  "last_battle_time",
  "updated_at",
  "statistics.all.battles",
  "statistics.all.wins",
  "statistics.all.spotted",
  "statistics.all.damage_dealt",
  "statistics.all.frags",
  "statistics.all.dropped_capture_points",
];
