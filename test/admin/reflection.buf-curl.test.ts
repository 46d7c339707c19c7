import fs from "node:fs";
import path from "node:path";
import t from "tap";
import { startCluster } from "../support/cluster";
import { adminCurl, bufCurl } from "./buf-curl";

/** Every AdminService call the admin tasks need, as reflection must list them. */
const ADMIN_METHODS = [
  "GetStatus",
  "WatchStatus",
  "StartRound",
  "PauseRound",
  "ResumeRound",
  "CancelRound",
  "ListRounds",
  "GetSchedule",
  "SetSchedule",
  "ListFailedBatches",
  "RetryFailedBatches",
  "AddApiKey",
  "ListApiKeys",
  "DisableApiKey",
  "EnableApiKey",
  "RemoveApiKey",
  "ListRealms",
  "SetRealm",
  "ListAgents",
  "BanAgent",
  "UnbanAgent",
  "GetDailySummary",
  "RotateAdminToken",
];

t.test("an admin with buf curl and no .proto file finds and calls everything", async (t) => {
  const cluster = await startCluster(t);
  const base = `http://127.0.0.1:${cluster.server.adminPort}`;
  const tokenFile = path.join(cluster.dataDir, "admin-token");
  const token = fs.readFileSync(tokenFile, "utf8").trim();
  const admin = adminCurl(cluster.server.adminPort, token);

  t.test("the token file is readable by its owner only", async (t) => {
    t.equal(fs.statSync(tokenFile).mode & 0o777, 0o600);
    t.match(token, /^bt_[A-Za-z0-9_-]{20,}$/);
  });

  t.test("reflection lists the admin, agent and health services", async (t) => {
    const listed = await bufCurl(base, { flags: ["--list-services"] });
    t.equal(listed.exitCode, 0, listed.stderr);
    const services = listed.stdout.trim().split("\n");
    for (const s of [
      "tracker.v1.AdminService",
      "tracker.v1.AgentService",
      "grpc.health.v1.Health",
    ]) {
      t.ok(services.includes(s), `${s} is listed`);
    }
  });

  t.test("reflection describes every admin method", async (t) => {
    const listed = await bufCurl(base, { flags: ["--list-methods"] });
    t.equal(listed.exitCode, 0, listed.stderr);
    const methods = new Set(listed.stdout.trim().split("\n"));
    const missing = ADMIN_METHODS.filter((m) => !methods.has(`tracker.v1.AdminService/${m}`));
    t.same(missing, [], "no admin method is missing");
    t.ok(methods.has("grpc.health.v1.Health/Check"), "the health service is described too");
  });

  t.test("a call resolves through reflection v1alpha as well as v1", async (t) => {
    const status = await admin.call(
      "GetStatus",
      {},
      { flags: ["--reflect-protocol", "grpc-v1alpha"] },
    );
    t.ok(status.ok, status.raw.stderr);
    t.equal(status.body.databaseReachable, true);
    t.equal(status.body.apiKeysEnabled, 1, "the cluster's key is counted");
  });

  t.test("the health service answers SERVING through reflection", async (t) => {
    const health = await bufCurl(`${base}/grpc.health.v1.Health/Check`, {
      data: { service: "tracker.v1.AdminService" },
    });
    t.equal(health.exitCode, 0, health.stderr);
    t.same(JSON.parse(health.stdout), { status: "SERVING" });
  });

  t.test(
    "a call without a token is unauthenticated, with a message saying what to send",
    async (t) => {
      const anonymous = await bufCurl(`${base}/tracker.v1.AdminService/GetStatus`, { data: {} });
      t.equal(anonymous.error?.code, "unauthenticated");
      t.match(anonymous.error?.message, /authorization: Bearer <admin token>/);
    },
  );

  t.test(
    "a call with a wrong token is unauthenticated, with a message naming the token file",
    async (t) => {
      const wrong = await adminCurl(cluster.server.adminPort, "bt_wrong").call("ListRounds");
      t.equal(wrong.error?.code, "unauthenticated");
      t.match(wrong.error?.message, /wrong admin token.*admin-token/);
    },
  );

  t.test("rotating the token retires the old one at once and stores the new one", async (t) => {
    const rotated = await admin.call<{ token: string }>("RotateAdminToken");
    t.ok(rotated.ok, rotated.raw.stderr);
    t.not(rotated.body.token, token);
    t.equal(
      fs.readFileSync(tokenFile, "utf8").trim(),
      rotated.body.token,
      "the file holds the new token",
    );
    t.equal(fs.statSync(tokenFile).mode & 0o777, 0o600, "still owner-only");

    const old = await admin.call("GetStatus");
    t.equal(old.error?.code, "unauthenticated", "the old token is refused");
    const fresh = await adminCurl(cluster.server.adminPort, rotated.body.token).call("GetStatus");
    t.ok(fresh.ok, "the new token works");
  });
});
