import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { REFUSED_FILE } from "../../agent/self-update-marker";
import { startCluster } from "../support/cluster";
import { comparePlayersWithTruth } from "../support/truth";
import {
  buildLinuxAgent,
  eventually,
  processesIn,
  sha256Of,
  startExecutable,
  stopProcessesIn,
} from "./executables";

const V1 = "1.0.0-update-test";
const V2 = "2.0.0-update-test";

t.test("the real executable updates itself mid-round, refuses a tampered release, rolls back a broken one", async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-update-"));
  const install = path.join(work, "install");
  const home = path.join(work, "home");
  const logFile = path.join(work, "agent.log");
  fs.mkdirSync(install);
  t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));

  const v1 = await buildLinuxAgent(V1, path.join(work, "v1"));
  const v2 = await buildLinuxAgent(V2, path.join(work, "v2"));
  const agent = path.join(install, "tracker-agent");
  fs.copyFileSync(v1, agent);
  fs.chmodSync(agent, 0o755);

  // A slow API key, so that the round is still running when the update lands.
  const key = { applicationId: "demo-key", requestsPerSecond: 3 };
  const cluster = await startCluster(t, { sim: { idsPerPlatform: 1500 }, apiKey: key });
  t.teardown(() => stopProcessesIn(install));
  t.teardown(() => t.comment(fs.existsSync(logFile) ? tail(logFile) : "no agent log"));

  const env = { TRACKER_AGENT_HOME: home, TRACKER_AGENT_UPDATE_CONFIRM_MS: "30000", LOG_LEVEL: "info" };
  const { token } = await cluster.admin.call("createEnrollmentToken", { name: "updater" });
  // Not execFileSync: the server runs in this process and must answer.
  await promisify(execFile)(agent, ["enroll", token], { env: { ...process.env, ...env } });
  startExecutable(agent, ["run"], env, logFile);

  const agentAt = (version: string) =>
    eventually(`agent connected as ${version}`, async () => {
      const { agents } = await cluster.admin.call("listAgents", {});
      return agents.find((a) => a.connected && a.version === version);
    });
  await agentAt(V1);

  const day1 = cluster.sim.sim.truth(1).date;
  const round = await cluster.admin.call("startRound", { statDay: day1 });
  await eventually("first batches done", async () => {
    const { rounds } = await cluster.admin.call("listRounds", { limit: 1 });
    return rounds[0].batchesDone > 0 ? true : undefined;
  });
  await cluster.admin.call("publishRelease", { version: V2, directory: path.dirname(v2) });
  await agentAt(V2);
  const { rounds } = await cluster.admin.call("listRounds", { limit: 1 });

  t.test("version 2 took over while the round was running and finished it with nothing lost", async (t) => {
    t.ok(rounds[0].batchesDone < rounds[0].batchesTotal, `switched at ${rounds[0].batchesDone}/${rounds[0].batchesTotal}`);
    await cluster.waitRoundDone(round.id);
    const truth = await comparePlayersWithTruth(cluster.db.sql, cluster.sim.sim, cluster.realms);
    t.same(truth.mismatches, [], "every account matches the simulator");
    t.ok(truth.rowsCompared > 1000);
  });

  t.test("the installed file is version 2 and the previous one is gone once confirmed", async (t) => {
    t.equal(sha256Of(agent), sha256Of(v2));
    t.equal(execFileSync(agent, ["version"]).toString().trim(), V2);
    await eventually("old file removed", async () => (fs.existsSync(`${agent}.old`) ? undefined : true));
    t.same(processesIn(install).length, 1, "one agent process runs");
  });

  t.test("a tampered release is refused and version 2 keeps running", async (t) => {
    await stopProcessesIn(install);
    const v3Dir = path.join(work, "v3");
    fs.mkdirSync(v3Dir);
    fs.copyFileSync(v1, path.join(v3Dir, "tracker-agent-linux-x64"));
    await cluster.admin.call("publishRelease", { version: "3.0.0-tampered", directory: v3Dir });
    // After signing, one byte of the stored copy changes, as a compromised disk or mirror would.
    const stored = path.join(cluster.dataDir, "releases", "3.0.0-tampered", "tracker-agent-linux-x64");
    const fd = fs.openSync(stored, "r+");
    fs.writeSync(fd, Buffer.from([0x5a]), 0, 1, 4096);
    fs.closeSync(fd);

    startExecutable(agent, ["run"], env, logFile);
    const refused = await eventually("v3 refused", async () => readRefused(home).includes("3.0.0-tampered") || undefined);
    t.ok(refused);
    t.equal(sha256Of(agent), sha256Of(v2), "the executable is untouched");
    t.notOk(fs.existsSync(`${agent}.new`), "the download is removed");
    await agentAt(V2);
  });

  t.test("a release that does not come up is rolled back to version 2", async (t) => {
    const v4Dir = path.join(work, "v4");
    fs.mkdirSync(v4Dir);
    fs.writeFileSync(path.join(v4Dir, "tracker-agent-linux-x64"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    await cluster.admin.call("publishRelease", { version: "4.0.0-broken", directory: v4Dir });

    await eventually("v4 rolled back", async () => readRefused(home).includes("4.0.0-broken") || undefined);
    t.equal(sha256Of(agent), sha256Of(v2), "version 2 is back in place");
    await agentAt(V2);
  });
});

function readRefused(home: string): string[] {
  try {
    return JSON.parse(fs.readFileSync(path.join(home, REFUSED_FILE), "utf8")) as string[];
  } catch {
    return [];
  }
}

function tail(file: string): string {
  return fs.readFileSync(file, "utf8").split("\n").slice(-15).join("\n");
}
