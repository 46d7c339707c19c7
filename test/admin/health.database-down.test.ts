import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { loadServerConfig } from "../../server/config";
import { freeLoopbackPort, startEmbeddedPostgres } from "../../server/db/embedded";
import { startTrackerServer } from "../../server/tracker-server";
import { silentLogger } from "../../shared/log";
import { readAdminToken } from "../support/cluster";
import { adminCurl, bufCurl } from "./buf-curl";

/** Polls a buf curl health check until it reports `want`. */
async function healthBecomes(base: string, want: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const answer = await bufCurl(`${base}/grpc.health.v1.Health/Check`, { data: { service: "" } });
    last =
      answer.exitCode === 0
        ? JSON.parse(answer.stdout).status
        : (answer.error?.code ?? answer.stderr);
    if (last === want) return last;
    await new Promise((r) => setTimeout(r, 300));
  }
  return last;
}

t.test(
  "health is NOT_SERVING while the database is away and SERVING once it is back",
  async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-health-"));
    fs.chmodSync(dir, 0o755);
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const pgDir = path.join(dir, "pg");
    const port = await freeLoopbackPort();
    let pg = await startEmbeddedPostgres({
      dataDir: pgDir,
      port,
      log: silentLogger(),
      durable: false,
    });
    t.teardown(() => pg.stop());

    const config = loadServerConfig({
      env: {},
      overrides: {
        databaseUrl: pg.url,
        dataDir: path.join(dir, "server"),
        "agent.listen": "127.0.0.1:0",
        "admin.listen": "127.0.0.1:0",
        "metrics.listen": "127.0.0.1:0",
        "health.checkMs": 200,
      },
    });
    const server = await startTrackerServer(config, silentLogger());
    t.teardown(() => server.stop());
    const admin = adminCurl(server.adminPort, readAdminToken(config.dataDir));
    const metricsUrl = `http://127.0.0.1:${server.metricsPort}/metrics`;

    t.equal(await healthBecomes(admin.base, "SERVING"), "SERVING", "serving with the database up");

    await pg.stop();
    t.equal(
      await healthBecomes(admin.base, "NOT_SERVING"),
      "NOT_SERVING",
      "not serving once it stopped",
    );
    const status = await admin.call("GetStatus");
    t.ok(status.ok, "GetStatus still answers");
    t.equal(
      status.body.databaseReachable,
      undefined,
      "databaseReachable is false (omitted in JSON)",
    );
    const rounds = await admin.call("ListRounds");
    t.equal(
      rounds.error?.code,
      "unavailable",
      "a call that needs the database is UNAVAILABLE, not INTERNAL",
    );
    t.match(await (await fetch(metricsUrl)).text(), /^tracker_database_up 0/m);

    pg = await startEmbeddedPostgres({ dataDir: pgDir, port, log: silentLogger(), durable: false });
    t.equal(await healthBecomes(admin.base, "SERVING"), "SERVING", "serving again once it is back");
    const after = await admin.call("ListRounds");
    t.ok(after.ok, after.raw.stderr);
    t.match(await (await fetch(metricsUrl)).text(), /^tracker_database_up 1/m);
  },
);
