import t from "tap";
import { resolveAgentSettings, type AgentSettings } from "../../agent/agent-settings";
import { RateLimiter } from "../../agent/rate-limiter";
import { WgClient } from "../../agent/wg-client";
import { errorBody, fixture, okBody, startWgStub, type StubReply } from "./helpers/wg-stub";

function settingsFor(baseUrl: string, overrides: Partial<AgentSettings> = {}): AgentSettings {
  const result = resolveAgentSettings({
    apiBaseUrl: baseUrl,
    applicationId: "test-key",
    requestsPerSecond: 1000,
    maxInFlight: 2,
    fields: [],
    language: "en",
    requestTimeoutMs: 300,
    maxAttempts: 4,
    retryInitialMs: 10,
    retryMaxMs: 40,
    apiKeyId: 1,
  });
  if ("problem" in result) throw new Error(result.problem);
  return { ...result.settings, ...overrides };
}

/** The part of a tap test that setup needs. */
interface Teardown {
  teardown(fn: () => unknown): void;
}

async function setup(t: Teardown, script: StubReply[], overrides: Partial<AgentSettings> = {}) {
  const stub = await startWgStub(script);
  const limiter = new RateLimiter({ requestsPerSecond: 1000 });
  const settings = settingsFor(stub.baseUrl, overrides);
  const client = new WgClient({ settings, rateLimiter: limiter });
  t.teardown(async () => {
    client.close();
    await stub.close();
  });
  return { stub, client, limiter };
}

const IDS = [5001, 5002, 5003];
const signal = () => new AbortController().signal;

t.test("a clean answer gives players and counts one request", async (t) => {
  const { client, stub } = await setup(t, [{ body: fixture("account-info-ok-fields.json") }]);
  const result = await client.fetchBatch(IDS, signal());
  if (result.kind !== "fetched") throw new Error(result.reason);
  t.same(result.players.map((p) => p.accountId).sort(), [5001, 5003]);
  t.same(result.nullIds, [5002]);
  t.equal(result.requests, 1);
  t.same(stub.requests, [IDS]);
});

t.test("a gzip answer is inflated", async (t) => {
  const { client } = await setup(t, [{ body: okBody(IDS), gzip: true }]);
  const result = await client.fetchBatch(IDS, signal());
  t.equal(result.kind, "fetched");
});

t.test("an HTML 504, a truncated body and an empty body are retried", async (t) => {
  const { client } = await setup(t, [
    { status: 504, contentType: "text/html", body: fixture("edge-504.html") },
    { body: fixture("malformed.txt") },
    { body: "" },
  ]);
  const result = await client.fetchBatch(IDS, signal());
  t.equal(result.kind, "fetched");
  t.equal(result.requests, 4);
});

t.test("a stalled answer times out and is retried", async (t) => {
  const { client } = await setup(t, [{ stall: true }]);
  const result = await client.fetchBatch(IDS, signal());
  t.equal(result.kind, "fetched");
  t.equal(result.requests, 2);
});

t.test("SOURCE_NOT_AVAILABLE is retried and REQUEST_LIMIT_EXCEEDED waits a second", async (t) => {
  const { client } = await setup(t, [
    { body: fixture("error-source-not-available.json") },
    { body: fixture("error-request-limit-exceeded.json") },
  ]);
  const started = Date.now();
  const result = await client.fetchBatch(IDS, signal());
  t.equal(result.kind, "fetched");
  t.ok(Date.now() - started >= 950, "backed off at least about a second");
  t.equal(client.counters.rateLimited, 1);
});

t.test("ACCOUNT_ID_LIST_LIMIT_EXCEEDED splits the ids into halves", async (t) => {
  const listLimit = fixture("error-account-id-list-limit-exceeded.json");
  const { client, stub } = await setup(t, [{ body: listLimit }]);
  const ids = Array.from({ length: 10 }, (_, i) => 6000 + i);
  const result = await client.fetchBatch(ids, signal());
  if (result.kind !== "fetched") throw new Error(result.reason);
  t.equal(result.players.length, 10);
  t.same(stub.requests.slice(1), [ids.slice(0, 5), ids.slice(5)]);
  t.equal(result.requests, 3);
});

t.test("a fatal API error stops at once and is reported fatal", async (t) => {
  const { client, stub } = await setup(t, [{ body: fixture("error-invalid-application-id.json") }]);
  const result = await client.fetchBatch(IDS, signal());
  if (result.kind !== "failed") throw new Error("expected a failure");
  t.equal(result.fatal, true);
  t.equal(result.apiError, "INVALID_APPLICATION_ID");
  t.equal(result.httpStatus, 200);
  t.equal(stub.requests.length, 1);
});

t.test("METHOD_DISABLED fails at once, not fatal, and asks for a long pause", async (t) => {
  const { client } = await setup(t, [{ body: fixture("error-method-disabled.json") }]);
  const result = await client.fetchBatch(IDS, signal());
  if (result.kind !== "failed") throw new Error("expected a failure");
  t.equal(result.fatal, false);
  t.ok(result.pauseMs >= 60_000);
});

t.test("after maxAttempts the last error is reported with its HTTP status", async (t) => {
  const html = { status: 502, contentType: "text/html", body: "<html>bad gateway</html>" };
  const { client, stub } = await setup(t, [html, html, html, html]);
  const result = await client.fetchBatch(IDS, signal());
  if (result.kind !== "failed") throw new Error("expected a failure");
  t.equal(result.httpStatus, 502);
  t.equal(result.fatal, false);
  t.equal(result.requests, 4);
  t.equal(stub.requests.length, 4);
});

t.test("an answer missing a requested id is retried, then fails", async (t) => {
  const partial = { body: okBody([5001, 5002]) };
  const { client } = await setup(t, [partial, partial, partial, partial]);
  const result = await client.fetchBatch(IDS, signal());
  if (result.kind !== "failed") throw new Error("expected a failure");
  t.match(result.reason, /5003/);
});

t.test("invalid assigned ids are never sent; the rest are fetched", async (t) => {
  const { client, stub } = await setup(t, []);
  const result = await client.fetchBatch([5001, -1, 0, 5001, 5002], signal());
  if (result.kind !== "fetched") throw new Error(result.reason);
  t.same(result.droppedIds, [-1, 0]);
  t.same(stub.requests, [[5001, 5002]]);
});

t.test("INVALID_ACCOUNT_ID naming one id drops it and sends the rest again", async (t) => {
  const body = JSON.stringify({
    status: "error",
    error: { code: 407, message: "INVALID_ACCOUNT_ID", field: "account_id", value: "5002" },
  });
  const { client, stub } = await setup(t, [{ body }]);
  const result = await client.fetchBatch(IDS, signal());
  if (result.kind !== "fetched") throw new Error(result.reason);
  t.same(result.droppedIds, [5002]);
  t.same(stub.requests[1], [5001, 5003]);
});

t.test("an unknown bug-class error fails the batch without retrying", async (t) => {
  const { client, stub } = await setup(t, [{ body: errorBody("INVALID_FIELDS") }]);
  const result = await client.fetchBatch(IDS, signal());
  t.equal(result.kind, "failed");
  t.equal(stub.requests.length, 1);
});

t.test("aborting the signal rejects the fetch and stops retrying", async (t) => {
  const { client, stub } = await setup(t, [{ stall: true }], { requestTimeoutMs: 5_000 });
  const controller = new AbortController();
  const fetching = client.fetchBatch(IDS, controller.signal);
  setTimeout(() => controller.abort(new Error("revoked")), 100);
  await t.rejects(fetching, { message: "revoked" });
  t.equal(stub.requests.length, 1);
});
