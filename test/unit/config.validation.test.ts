import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { ConfigError, envName } from "../../shared/config";
import { loadServerConfig } from "../../server/config";

function configFile(t: { teardown(fn: () => void): void }, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-config-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "tracker.json");
  fs.writeFileSync(file, content);
  return file;
}

t.test("defaults give loopback listeners, an embedded database and the WG console API", async (t) => {
  const c = loadServerConfig({ env: {} });
  t.equal(c.agentListen, "127.0.0.1:7400");
  t.equal(c.adminListen, "127.0.0.1:7401");
  t.equal(c.databaseUrl, "");
  t.equal(c.api.baseUrl, "https://api-console.worldoftanks.com/wotx");
  t.same(c.realms.xbox, { firstId: 5000, lastId: 15_500_000 });
  t.same(c.realms.ps, { firstId: 1_073_740_000, lastId: 1_085_000_000 });
  t.equal(c.batchSize, 100);
});

t.test("the environment overrides the file and the command line overrides both", async (t) => {
  const file = configFile(t, JSON.stringify({ lease: { ttlMs: 5000 }, "batch.size": 50 }));
  const env = { TRACKER_LEASE_TTL_MS: "7000", DATABASE_URL: "postgres://db/x" };
  const c = loadServerConfig({ file, env, overrides: { "batch.size": "20" } });
  t.equal(c.lease.ttlMs, 7000, "environment beats file");
  t.equal(c.batchSize, 20, "override beats file");
  t.equal(c.databaseUrl, "postgres://db/x", "DATABASE_URL selects the database");
});

t.test("environment names are derived from the dotted keys", async (t) => {
  t.equal(envName("lease.ttlMs"), "TRACKER_LEASE_TTL_MS");
  t.equal(envName("api.baseUrl"), "TRACKER_API_BASE_URL");
});

t.test("bad settings are refused with the key, the value and the reason", async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ "batch.size": "101" }, /batch\.size: 101 is above the maximum 100/],
    [{ "lease.ttlMs": "soon" }, /lease\.ttlMs: expected a number, got "soon"/],
    [{ "agent.listen": "7400" }, /agent\.listen: expected host:port/],
    [{ "api.baseUrl": "ftp://x" }, /api\.baseUrl: "ftp:\/\/x" must be http or https/],
    [{ "realms.xbox": "20-10" }, /realms\.xbox: "20-10" is not a range/],
    [{ "api.retryInitialMs": "5000", "api.retryMaxMs": "1000" }, /must not exceed api\.retryMaxMs/],
    [{ nonsense: 1 }, /nonsense: unknown key/],
    [{ databaseUrl: "garbage" }, /databaseUrl: DATABASE_URL must look like postgres:\/\//],
  ];
  for (const [overrides, message] of cases) {
    t.throws(() => loadServerConfig({ env: {}, overrides }), message, JSON.stringify(overrides));
  }
});

t.test("a config file with an unknown key or broken JSON is refused", async (t) => {
  const unknown = configFile(t, JSON.stringify({ lease: { ttl: 5 } }));
  t.throws(() => loadServerConfig({ file: unknown, env: {} }), /lease\.ttl: unknown key/);
  const broken = configFile(t, "{ nope");
  t.throws(() => loadServerConfig({ file: broken, env: {} }), ConfigError);
  t.throws(() => loadServerConfig({ file: "/nonexistent/tracker.json", env: {} }), /cannot read/);
});
