import type { PublishReleaseRequest, Release } from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import { listReleases as listReleaseRows, publishRelease as publish, type ReleaseRow } from "../releases/releases";
import type { AdminContext } from "./handlers";

/** Signs and records the executables in a directory on the server, then offers them. */
async function publishRelease(req: PublishReleaseRequest, ctx: AdminContext): Promise<Release> {
  const releaseKey = ctx.hub.identity?.releaseKey;
  if (!releaseKey) throw new TrackerError("SHUTTING_DOWN", "the agent service is not listening yet");

  const row = await publish(ctx.sql, {
    dataDir: ctx.config.dataDir,
    key: releaseKey,
    version: req.version,
    directory: req.directory,
  });
  ctx.log.info({ version: row.version, files: row.files.length }, "release published");
  await ctx.hub.offerReleaseToAll();
  return toMessage(row);
}

async function listReleases(_req: unknown, ctx: AdminContext) {
  return { releases: (await listReleaseRows(ctx.sql)).map(toMessage) };
}

function toMessage(row: ReleaseRow): Release {
  return { version: row.version, publishedAt: row.publishedAt.toISOString(), files: row.files };
}

export const releaseCalls = { publishRelease, listReleases };
