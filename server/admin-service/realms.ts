import type { Realm, SetRealmRequest } from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import type { AdminContext } from "./handlers";

/** Ids above this cannot be sent to the API. */
const MAX_ACCOUNT_ID = Number.MAX_SAFE_INTEGER;
/** Widest range accepted: 100 M ids are a million batches per round (the defaults are ~27 M). */
const MAX_REALM_IDS = 100_000_000;

async function listRealms(_req: unknown, ctx: AdminContext) {
  const rows = await ctx.sql`SELECT platform, first_id, last_id, enabled FROM realms ORDER BY id`;
  return { realms: rows.map(toRealm) };
}

async function setRealm(req: SetRealmRequest, ctx: AdminContext): Promise<Realm> {
  if (req.platform !== "xbox" && req.platform !== "ps") {
    throw new TrackerError(
      "INVALID_ARGUMENT",
      `platform must be "xbox" or "ps", not "${req.platform}"`,
    );
  }
  if (req.firstId === 0 && req.lastId === 0) return setEnabledOnly(req.platform, req.enabled, ctx);
  if (!(req.firstId >= 1 && req.lastId >= req.firstId && req.lastId <= MAX_ACCOUNT_ID)) {
    throw new TrackerError(
      "INVALID_ARGUMENT",
      `need 1 <= first_id <= last_id, got ${req.firstId}..${req.lastId}`,
    );
  }
  if (req.lastId - req.firstId + 1 > MAX_REALM_IDS) {
    throw new TrackerError("INVALID_ARGUMENT", `a realm spans at most ${MAX_REALM_IDS} ids`);
  }
  // enabled is optional: absent keeps the realm as it is (a new realm starts enabled).
  const enabled = req.enabled ?? null;
  const [row] = await ctx.sql`
    INSERT INTO realms (platform, first_id, last_id, enabled)
    VALUES (${req.platform}, ${req.firstId}, ${req.lastId}, coalesce(${enabled}::boolean, true))
    ON CONFLICT (platform) DO UPDATE
      SET first_id = excluded.first_id, last_id = excluded.last_id,
          enabled = coalesce(${enabled}::boolean, realms.enabled), updated_at = now()
    RETURNING platform, first_id, last_id, enabled`;
  return toRealm(row);
}

async function setEnabledOnly(
  platform: string,
  enabled: boolean | undefined,
  ctx: AdminContext,
): Promise<Realm> {
  if (enabled === undefined) {
    throw new TrackerError("INVALID_ARGUMENT", "give first_id and last_id, or enabled, or both");
  }
  const [row] = await ctx.sql`
    UPDATE realms SET enabled = ${enabled}, updated_at = now() WHERE platform = ${platform}
    RETURNING platform, first_id, last_id, enabled`;
  if (!row)
    throw new TrackerError(
      "NOT_FOUND",
      `realm ${platform} has no id range yet; give first_id and last_id`,
    );
  return toRealm(row);
}

function toRealm(row: Record<string, unknown>): Realm {
  return {
    platform: String(row.platform),
    firstId: Number(row.first_id),
    lastId: Number(row.last_id),
    enabled: Boolean(row.enabled),
  };
}

export const realmCalls = { listRealms, setRealm };
