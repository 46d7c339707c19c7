import t from "tap";
import { adminCurl, bufCurlStream } from "./buf-curl";
import { readAdminToken, startCluster, type Cluster } from "../support/cluster";

interface ApiKey {
  id: string;
  applicationId: string;
  enabled?: boolean;
  agents?: number;
}
interface Agent {
  id: string;
  name: string;
  connected?: boolean;
  banned?: boolean;
  batchesDone?: string;
}

/** Polls until check() is true; the in-process client keeps buf curl calls few. */
async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  explain: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms:\n${explain()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The agent named name (its id comes from enrollment). */
async function agentNamed(cluster: Cluster, name: string) {
  const { agents } = await cluster.admin.call("listAgents", {});
  return agents.find((a) => a.name === name);
}

t.test(
  "agents, API keys, WatchStatus and metrics with a real agent, through buf curl",
  async (t) => {
    const cluster = await startCluster(t);
    const admin = adminCurl(cluster.server.adminPort, readAdminToken(cluster.dataDir));
    const agent = cluster.startAgent("adm-a");
    await waitFor(
      "agent adm-a connected",
      async () => (await agentNamed(cluster, "adm-a"))?.connected === true,
      () => agent.lines.slice(-20).join("\n"),
    );
    const agentId = (await agentNamed(cluster, "adm-a"))!.id;
    await cluster.runRound(cluster.sim.sim.truth(1).date);

    t.test("ListAgents shows the agent with its work", async (t) => {
      const listed = await admin.call<{ agents: Agent[] }>("ListAgents");
      const agent = listed.body.agents.find((a) => a.name === "adm-a");
      t.equal(agent?.connected, true);
      t.ok(Number(agent?.batchesDone) > 0, "it did batches");
    });

    t.test("the metrics endpoint serves the tracker's metrics", async (t) => {
      const text = await (
        await fetch(`http://127.0.0.1:${cluster.server.metricsPort}/metrics`)
      ).text();
      for (const line of [
        /^tracker_batches\{state="done"\} [1-9]/m,
        /^tracker_results_merged_total [1-9]/m,
        /^tracker_players_merged_total [1-9]/m,
        /^tracker_merge_duration_seconds_count [1-9]/m,
        /^tracker_ingest_backlog_rows 0/m,
        /^tracker_credit_granted_total [1-9]/m,
        /^tracker_agents_connected 1/m,
        /^# TYPE tracker_api_errors_total counter/m,
        /^tracker_api_requests_total\{api_key_id="1"\} [1-9]/m,
        /^tracker_database_up 1/m,
      ]) {
        t.match(text, line);
      }
      const missing = await fetch(`http://127.0.0.1:${cluster.server.metricsPort}/other`);
      t.equal(missing.status, 404);
    });

    t.test("AddApiKey checks its arguments and refuses a key twice", async (t) => {
      const short = await admin.call("AddApiKey", { applicationId: "x", requestsPerSecond: 10 });
      t.equal(short.error?.code, "invalid_argument");
      const kind = await admin.call("AddApiKey", {
        applicationId: "second-key-0002",
        requestsPerSecond: 10,
        kind: "server",
      });
      t.equal(kind.error?.code, "invalid_argument");
      t.match(kind.error?.message, /kind must be "application" or "ip"/);
      const rate = await admin.call("AddApiKey", {
        applicationId: "second-key-0002",
        requestsPerSecond: 0,
      });
      t.equal(rate.error?.code, "invalid_argument");
      const twice = await admin.call("AddApiKey", {
        applicationId: "demo-key",
        requestsPerSecond: 10,
      });
      t.equal(twice.error?.code, "already_exists");
    });

    t.test("a key change reaches the agent's Config at once", async (t) => {
      const added = await admin.call<ApiKey>("AddApiKey", {
        applicationId: "second-key-0002",
        requestsPerSecond: 50,
        kind: "ip",
      });
      t.ok(added.ok, added.raw.stderr);
      t.equal(added.body.applicationId, "***********0002", "masked except its last 4 characters");

      const disabled = await admin.call<ApiKey>("DisableApiKey", { id: 1 });
      t.equal(disabled.body.enabled, undefined, "disabled (false is omitted in JSON)");
      const [session] = cluster.server.hub.sessions;
      t.equal(
        session.config?.apiKeyId,
        Number(added.body.id),
        "the Config sent now names the other key",
      );
      const share = session.config?.requestsPerSecond ?? 0;
      // The shared budget starts a little under the key's rate and adapts from there.
      t.ok(share > 40 && share <= 50, `the agent's share (${share}/s) is within the key's 50/s`);
      const listed = await admin.call<{ keys: ApiKey[] }>("ListApiKeys");
      t.same(
        listed.body.keys.map((k) => [k.applicationId, k.enabled ?? false, k.agents ?? 0]),
        [
          ["****-key", false, 0],
          ["***********0002", true, 1],
        ],
      );

      const enabled = await admin.call<ApiKey>("EnableApiKey", { id: 1 });
      t.equal(enabled.body.enabled, true);
      const removed = await admin.call("RemoveApiKey", { id: added.body.id });
      t.same(removed.body, { removed: true });
      t.equal(
        session.config?.apiKeyId,
        1,
        "removing its key moves the agent back to the first one",
      );
      const gone = await admin.call("RemoveApiKey", { id: added.body.id });
      t.equal(gone.error?.code, "not_found");
      const noId = await admin.call("DisableApiKey", {});
      t.equal(noId.error?.code, "invalid_argument");
    });

    t.test("WatchStatus streams a status every interval", async (t) => {
      const started = Date.now();
      const statuses = await bufCurlStream(`${admin.base}/tracker.v1.AdminService/WatchStatus`, {
        token: readAdminToken(cluster.dataDir),
        data: { intervalSeconds: 1 },
        count: 2,
      });
      t.equal(statuses.length, 2, "two statuses arrived");
      t.ok(Date.now() - started >= 900, "one interval apart");
      t.equal(statuses[1].agentsConnected, 1);
      t.ok(
        Number(statuses[1].requestsPerSecond) > 0,
        "API requests per second over the last minute",
      );
      t.equal((statuses[1].round as { state: string }).state, "done");
    });

    t.test("BanAgent ends the agent's stream at once; UnbanAgent lets it back", async (t) => {
      const noId = await admin.call("BanAgent", { agentId: "" });
      t.equal(noId.error?.code, "invalid_argument");
      const unknown = await admin.call("BanAgent", { agentId: "nobody" });
      t.equal(unknown.error?.code, "not_found");

      const banned = await admin.call<Agent>("BanAgent", { agentId, reason: "test" });
      t.equal(banned.body.banned, true);
      t.equal(banned.body.connected, undefined, "not connected any more (false is omitted)");
      t.equal(cluster.server.hub.sessions.size, 0, "its session is gone");
      const listed = await admin.call<{ agents: Agent[] }>("ListAgents");
      t.same(
        listed.body.agents.map((a) => [a.name, a.banned, a.connected ?? false]),
        [["adm-a", true, false]],
      );

      const unbanned = await admin.call<Agent>("UnbanAgent", { agentId });
      t.equal(unbanned.body.banned, undefined);
    });
  },
);
