import t from "tap";
import { RoundSchedule } from "../../server/admin-service/round-schedule";
import { silentLogger } from "../../shared/log";
import { readAdminToken, startCluster } from "../support/cluster";
import { adminCurl } from "./buf-curl";

interface Round {
  id: string;
  statDay: string;
  state: string;
  batchesTotal?: string;
  batchesPending?: string;
  batchesFailed?: string;
}

/** No agent runs in this file: rounds stay where the admin calls put them. */
t.test("rounds, failed batches, realms, schedule and summary through buf curl", async (t) => {
  const cluster = await startCluster(t);
  const admin = adminCurl(cluster.server.adminPort, readAdminToken(cluster.dataDir));
  const { sql } = cluster.db;
  const day1 = cluster.sim.sim.truth(1).date;

  t.test("status before any round has no round and a reachable database", async (t) => {
    const status = await admin.call("GetStatus");
    t.ok(status.ok, status.raw.stderr);
    t.equal(status.body.round, undefined);
    t.equal(status.body.databaseReachable, true);
  });

  t.test("a stat day that is not a date is an invalid argument", async (t) => {
    const bad = await admin.call("StartRound", { statDay: "2026-02-30" });
    t.equal(bad.error?.code, "invalid_argument");
    t.match(bad.error?.message, /not a date written YYYY-MM-DD/);
  });

  let round: Round;
  t.test(
    "StartRound plans a round; a second one while it runs is a failed precondition",
    async (t) => {
      const started = await admin.call<Round>("StartRound", { statDay: day1 });
      t.ok(started.ok, started.raw.stderr);
      round = started.body;
      t.equal(round.state, "running");
      t.equal(round.statDay, day1);
      t.ok(Number(round.batchesTotal) > 0);

      const later = new Date(Date.parse(`${day1}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const again = await admin.call("StartRound", { statDay: later });
      t.equal(again.error?.code, "failed_precondition");
      t.match(again.error?.message, new RegExp(`round ${round.id} is not finished`));

      const same = await admin.call("StartRound", { statDay: day1 });
      t.equal(same.error?.code, "failed_precondition", "a day already measured is refused");
      t.match(same.error?.message, /already measured; a new round must measure a later day/);
      const future = await admin.call("StartRound", { statDay: "2099-01-01" });
      t.equal(future.error?.code, "invalid_argument", "a day in the future is refused");
    },
  );

  t.test(
    "pause and resume move the current round; a wrong move or round id is refused",
    async (t) => {
      const paused = await admin.call<Round>("PauseRound", {});
      t.equal(paused.body.state, "paused");
      const resumed = await admin.call<Round>("ResumeRound", { roundId: round.id });
      t.equal(resumed.body.state, "running");

      const twice = await admin.call("ResumeRound", {});
      t.equal(twice.error?.code, "failed_precondition", "a running round cannot resume");
      const missing = await admin.call("PauseRound", { roundId: 999999 });
      t.equal(missing.error?.code, "not_found");
      t.match(missing.error?.message, /round 999999 does not exist/);
    },
  );

  t.test("failed batches are listed with their last error and retried one or all", async (t) => {
    await sql`
      UPDATE batches SET state = 'failed', attempts = 5, last_error = 'INVALID_APPLICATION_ID'
       WHERE id IN (SELECT id FROM batches WHERE round_id = ${Number(round.id)} ORDER BY id LIMIT 3)`;
    const listed = await admin.call<{
      batches: { batchId: string; lastError: string; attempts: number }[];
    }>("ListFailedBatches", {});
    t.equal(listed.body.batches.length, 3);
    t.equal(listed.body.batches[0].lastError, "INVALID_APPLICATION_ID");
    t.equal(listed.body.batches[0].attempts, 5);

    const one = await admin.call("RetryFailedBatches", {
      batchIds: [listed.body.batches[0].batchId],
    });
    t.same(one.body, { retried: 1 });
    const notFailed = await admin.call("RetryFailedBatches", {
      batchIds: [listed.body.batches[0].batchId],
    });
    t.equal(notFailed.error?.code, "failed_precondition", "a pending batch is not retried");
    const neither = await admin.call("RetryFailedBatches", {});
    t.equal(neither.error?.code, "invalid_argument");
    const all = await admin.call("RetryFailedBatches", { all: true });
    t.same(all.body, { retried: 2 });
  });

  t.test("ListRounds shows the outcome; a limit past the maximum is refused", async (t) => {
    const cancelled = await admin.call<Round>("CancelRound", {});
    t.equal(cancelled.body.state, "cancelled");
    const listed = await admin.call<{ rounds: Round[] }>("ListRounds", { limit: 5 });
    t.same(
      listed.body.rounds.map((r) => [r.id, r.state]),
      [[round.id, "cancelled"]],
    );
    const tooMany = await admin.call("ListRounds", { limit: 100000 });
    t.equal(tooMany.error?.code, "invalid_argument");
  });

  t.test("SetRealm changes the id ranges the next round uses", async (t) => {
    const bad = await admin.call("SetRealm", { platform: "pc", firstId: 1, lastId: 10 });
    t.equal(bad.error?.code, "invalid_argument");
    const reversed = await admin.call("SetRealm", { platform: "xbox", firstId: 10, lastId: 1 });
    t.equal(reversed.error?.code, "invalid_argument");

    const xbox = cluster.realms[0];
    const narrowed = await admin.call("SetRealm", {
      platform: "xbox",
      firstId: xbox.firstId,
      lastId: xbox.firstId + 999,
    });
    t.same(narrowed.body, {
      platform: "xbox",
      firstId: String(xbox.firstId),
      lastId: String(xbox.firstId + 999),
      enabled: true,
    });
    const off = await admin.call("SetRealm", { platform: "ps", enabled: false });
    t.equal(off.body.enabled, undefined, "ps is disabled and keeps its range");
    t.equal(off.body.firstId, String(cluster.realms[1].firstId));
    const realms = await admin.call<{ realms: unknown[] }>("ListRealms");
    t.equal(realms.body.realms.length, 2);
  });

  t.test("the daily summary needs a real stat day that a round measured", async (t) => {
    const bad = await admin.call("GetDailySummary", { statDay: "yesterday" });
    t.equal(bad.error?.code, "invalid_argument");
    const unmeasured = await admin.call("GetDailySummary", { statDay: "2001-01-01" });
    t.equal(unmeasured.error?.code, "not_found");
    const summary = await admin.call<{ statDay: string; platforms: { platform: string }[] }>(
      "GetDailySummary",
      {
        statDay: day1,
      },
    );
    t.equal(summary.body.statDay, day1);
    t.same(
      summary.body.platforms.map((p) => p.platform),
      ["xbox", "ps"],
    );
  });

  t.test(
    "the schedule starts the day's round once, even with two coordinators checking",
    async (t) => {
      const initial = await admin.call("GetSchedule");
      t.same(initial.body, { timeOfDay: "00:30" }, "off by default (false is omitted in JSON)");
      const bad = await admin.call("SetSchedule", { enabled: true, timeOfDay: "7:5" });
      t.equal(bad.error?.code, "invalid_argument");
      const set = await admin.call("SetSchedule", { enabled: true, timeOfDay: "00:00" });
      t.same(set.body, { enabled: true, timeOfDay: "00:00" });

      // Today's 00:00 had passed when it was set, so the first firing is tomorrow's.
      const now = new Date();
      const today = now.toISOString().slice(0, 10);
      const tomorrow = new Date(
        Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 0, 1),
      );
      const deps = { sql, config: cluster.config, hub: cluster.server.hub, log: silentLogger() };
      const todays = new RoundSchedule(deps, { checkMs: 60_000, now: () => now });
      t.equal(await todays.tick(), null, "nothing fires later on the day it was set");

      const a = new RoundSchedule(deps, { checkMs: 60_000, now: () => tomorrow });
      const b = new RoundSchedule(deps, { checkMs: 60_000, now: () => tomorrow });
      const fired = (await Promise.all([a.tick(), b.tick()])).filter((id) => id !== null);
      t.equal(fired.length, 1, "one of two coordinators starts the round");
      t.equal(await b.tick(), null, "and neither starts another that day");

      const listed = await admin.call<{ rounds: Round[] }>("ListRounds", { limit: 1 });
      const scheduled = listed.body.rounds[0];
      t.equal(scheduled.id, String(fired[0]));
      t.equal(scheduled.statDay, today, "it measures the day that just ended");
      t.equal(scheduled.batchesTotal, "10", "it uses the realms as set: 1,000 xbox ids, ps off");
      t.type(cluster.server.admin.schedule, RoundSchedule, "the server runs a schedule of its own");
    },
  );

  t.test("the status rate and ETA come from the batches done in the last minute", async (t) => {
    await sql`
      UPDATE batches SET state = 'done', done_at = now(), players_found = 7
       WHERE id IN (SELECT id FROM batches WHERE round_id = (SELECT max(id) FROM rounds)
                     ORDER BY id LIMIT 4)`;
    const status = await admin.call<{
      round: Round & { batchesDone: string; playersMerged: string };
      batchesPerSecond: number;
      etaSeconds: number;
    }>("GetStatus");
    const { round: current, batchesPerSecond, etaSeconds } = status.body;
    t.equal(current.batchesDone, "4");
    t.equal(current.playersMerged, "28");
    t.ok(batchesPerSecond > 0, `${batchesPerSecond} batches/s`);
    t.equal(
      etaSeconds,
      Math.round(Number(current.batchesPending) / batchesPerSecond),
      "ETA = batches left / rate",
    );
  });

  t.test("banning an agent returns the leases it holds, through any coordinator", async (t) => {
    await sql`INSERT INTO agents (id, name) VALUES ('ghost-1', 'ghost')`;
    await sql`
      UPDATE batches SET state = 'leased', lease_id = nextval('lease_ids'), agent_id = 'ghost-1',
             lease_expires = now() + interval '1 hour'
       WHERE id IN (SELECT id FROM batches WHERE state = 'pending' ORDER BY id LIMIT 2)`;
    const banned = await admin.call<{ banned: boolean }>("BanAgent", {
      agentId: "ghost-1",
      reason: "test",
    });
    t.equal(banned.body.banned, true);
    const [{ n }] = await sql`SELECT count(*)::int AS n FROM batches WHERE agent_id = 'ghost-1'`;
    t.equal(n, 0, "no batch is leased to it any more");
  });
});
