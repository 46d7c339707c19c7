import type { Sql } from "postgres";
import type { IdRange } from "../config";

/** Fills the realms table from config on first start; later the admin service owns it. */
export async function seedRealms(sql: Sql, realms: { xbox: IdRange; ps: IdRange }): Promise<void> {
  for (const [platform, range] of Object.entries(realms)) {
    await sql`
      INSERT INTO realms (platform, first_id, last_id)
      VALUES (${platform}, ${range.firstId}, ${range.lastId})
      ON CONFLICT (platform) DO NOTHING`;
  }
}
