import t from "tap";
import { fixtureJson } from "./fixture-files";
import { apiGet, call, simPost } from "./loopback-client";
import { startSimulator } from "./server";

const INFO = "/wotx/account/info/";

t.test("parameter and key validation", async (t) => {
  const running = await startSimulator({
    idsPerPlatform: 2000,
    rateLimit: false,
    keys: [
      { applicationId: "demo-key", kind: "server", requestsPerSecond: 20 },
      { applicationId: "blocked-key", kind: "server", requestsPerSecond: 20, blocked: true },
      { applicationId: "ip-key", kind: "server", requestsPerSecond: 20, allowedIps: ["10.9.9.9"] },
      { applicationId: "std-key", kind: "standalone", requestsPerSecond: 10 },
    ],
  });
  t.teardown(() => running.close());
  const base = running.url;
  const info = (params: Record<string, string>): Promise<unknown> => apiGet(base, INFO, params);
  /** account/info for id 5001 with the given key, optionally from another loopback address. */
  const withKey = (key: string, localAddress?: string): Promise<unknown> =>
    apiGet(base, INFO, { application_id: key, account_id: "5001" }, { localAddress });
  const demo = (params: Record<string, string>): Promise<unknown> =>
    info({ application_id: "demo-key", ...params });
  const fx = fixtureJson;

  t.test("a missing application_id answers APPLICATION_ID_NOT_SPECIFIED", async (t) => {
    const expected = fx("error-application-id-not-specified.json");
    t.same(await info({ account_id: "5001" }), expected);
    t.same(await withKey(""), expected);
  });

  t.test("an unknown application_id answers INVALID_APPLICATION_ID echoing the key", async (t) => {
    const key = "0123456789abcdef0123456789abcdef";
    t.same(await withKey(key), fx("error-invalid-application-id.json"));
  });

  t.test("a blocked key answers APPLICATION_IS_BLOCKED", async (t) => {
    t.same(await withKey("blocked-key"), fx("error-application-is-blocked.json"));
  });

  t.test("a server key used from an IP outside its list answers INVALID_IP_ADDRESS", async (t) => {
    t.same(await withKey("ip-key"), fx("error-invalid-ip-address.json"));
  });

  t.test("a server key used from a listed IP is answered", async (t) => {
    await simPost(base, "/sim/keys", {
      keys: [
        {
          applicationId: "ip-key",
          kind: "server",
          requestsPerSecond: 20,
          allowedIps: ["127.0.0.7"],
        },
      ],
    });
    const answer = await withKey("ip-key", "127.0.0.7");
    t.equal((answer as { status: string }).status, "ok");
    t.same(await withKey("ip-key", "127.0.0.8"), fx("error-invalid-ip-address.json"));
  });

  t.test("a standalone key is answered from any IP", async (t) => {
    const answer = await withKey("std-key", "127.0.0.9");
    t.equal((answer as { status: string }).status, "ok");
  });

  t.test("a missing or empty account_id answers ACCOUNT_ID_NOT_SPECIFIED", async (t) => {
    const expected = fixtureJson("error-account-id-not-specified.json");
    t.same(await info({ application_id: "demo-key" }), expected);
    t.same(await info({ application_id: "demo-key", account_id: "" }), expected);
  });

  t.test("a bad id anywhere rejects the whole request with INVALID_ACCOUNT_ID", async (t) => {
    t.same(await demo({ account_id: "5001,abc" }), fx("error-invalid-account-id.json"));
    const bads = ["-5", "5001,-5002", "5001,,5002", "5001,", "5.5", "0", "1e5", "+5001"];
    for (const bad of [...bads, "9007199254740993"]) {
      const answer = await info({ application_id: "demo-key", account_id: bad });
      t.same(answer, {
        status: "error",
        error: { code: 407, message: "INVALID_ACCOUNT_ID", field: "account_id", value: bad },
      }, `account_id=${bad}`);
    }
  });

  t.test("101 ids answer ACCOUNT_ID_LIST_LIMIT_EXCEEDED and 100 ids are answered", async (t) => {
    const ids = Array.from({ length: 101 }, (_, i) => 5000 + i);
    const over = await info({ application_id: "demo-key", account_id: ids.join(",") });
    t.same(over, fixtureJson("error-account-id-list-limit-exceeded.json"));
    const full = await demo({ account_id: ids.slice(0, 100).join(",") });
    t.equal((full as { meta: { count: number } }).meta.count, 100);
  });

  t.test("duplicates count towards the 100-id limit as sent", async (t) => {
    const ids = [...Array.from({ length: 100 }, (_, i) => 5000 + i), 5000];
    const answer = await info({ application_id: "demo-key", account_id: ids.join(",") });
    t.match(answer, { status: "error", error: { message: "ACCOUNT_ID_LIST_LIMIT_EXCEEDED" } });
  });

  t.test("duplicate ids are answered once and meta.count counts unique ids", async (t) => {
    const answer = (await demo({ account_id: "5001,5002,5001,5001" })) as {
      meta: { count: number };
      data: Record<string, unknown>;
    };
    t.same(Object.keys(answer.data).sort(), ["5001", "5002"]);
    t.equal(answer.meta.count, 2);
  });

  t.test("spaces around ids are tolerated", async (t) => {
    const answer = (await info({ application_id: "demo-key", account_id: "5001, 5002" })) as {
      data: Record<string, unknown>;
    };
    t.same(Object.keys(answer.data).sort(), ["5001", "5002"]);
  });

  t.test("a malformed fields value answers INVALID_FIELDS", async (t) => {
    const answer = await demo({ account_id: "5001", fields: "statistics..all" });
    t.same(answer, fixtureJson("error-invalid-fields.json"));
  });

  t.test("more than 100 field names answer FIELDS_LIST_LIMIT_EXCEEDED", async (t) => {
    const fields = Array.from({ length: 101 }, (_, i) => `f${i}`).join(",");
    const answer = await info({ application_id: "demo-key", account_id: "5001", fields });
    t.match(answer, {
      status: "error",
      error: { code: 407, message: "FIELDS_LIST_LIMIT_EXCEEDED", field: "fields" },
    });
  });

  t.test("every documented language is accepted and others answer INVALID_LANGUAGE", async (t) => {
    for (const language of ["en", "ru", "pl", "de", "fr", "es", "tr"]) {
      const answer = await info({ application_id: "demo-key", account_id: "5001", language });
      t.equal((answer as { status: string }).status, "ok", language);
    }
    const answer = await info({ application_id: "demo-key", account_id: "5001", language: "xx" });
    t.same(answer, {
      status: "error",
      error: { code: 407, message: "INVALID_LANGUAGE", field: "language", value: "xx" },
    });
  });

  t.test("the method-disabled switch answers METHOD_DISABLED until switched off", async (t) => {
    await simPost(base, "/sim/faults", { methodDisabled: true });
    t.same(await withKey("demo-key"), fx("error-method-disabled.json"));
    const list = await apiGet(base, "/wotx/account/list/", {
      application_id: "demo-key",
      search: "player",
    });
    t.same(list, fx("error-method-disabled.json"));
    await simPost(base, "/sim/faults", { methodDisabled: false });
    t.equal(((await withKey("demo-key")) as { status: string }).status, "ok");
  });

  t.test("error envelopes come with HTTP 200", async (t) => {
    const answer = await call(`${base}${INFO}?account_id=5001`);
    t.equal(answer.status, 200);
  });

  t.test("rejections are counted by error message in /sim/stats", async (t) => {
    const stats = (await (await call(`${base}/sim/stats`)).body) as string;
    const parsed = JSON.parse(stats) as { rejections: Record<string, number> };
    t.ok(parsed.rejections.INVALID_ACCOUNT_ID >= 10);
    t.ok(parsed.rejections.APPLICATION_ID_NOT_SPECIFIED >= 2);
  });
});
