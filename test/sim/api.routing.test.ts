import t from "tap";
import { apiGet, apiPost, call, TRACKER_FIELDS_PARAM } from "./loopback-client";
import { startSimulator } from "./server";

const KEY = "demo-key";

t.test("routing and HTTP methods", async (t) => {
  const running = await startSimulator({ idsPerPlatform: 2000, rateLimit: false });
  t.teardown(() => running.close());
  const base = running.url;
  const methodNotFound = {
    status: "error",
    error: { code: 404, message: "METHOD_NOT_FOUND", field: null, value: null },
  };

  t.test("GET and POST on account/info give identical answers", async (t) => {
    const params = {
      application_id: KEY,
      account_id: "5000,5001,5002,1073740001",
      fields: TRACKER_FIELDS_PARAM,
      language: "en",
    };
    const viaGet = await apiGet(base, "/wotx/account/info/", params);
    t.same(await apiPost(base, "/wotx/account/info/", params), viaGet);
    t.equal((viaGet as { status: string }).status, "ok");
  });

  t.test("GET and POST on account/list give identical answers", async (t) => {
    const params = { application_id: KEY, search: "player_50", limit: "10" };
    const viaGet = await apiGet(base, "/wotx/account/list/", params);
    t.same(await apiPost(base, "/wotx/account/list/", params), viaGet);
    t.equal((viaGet as { meta: { count: number } }).meta.count, 10);
  });

  t.test("a POST may split its parameters between query string and form body", async (t) => {
    const answer = await call(`${base}/wotx/account/info/?application_id=${KEY}`, {
      method: "POST",
      body: "account_id=5001",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    t.equal((JSON.parse(answer.body) as { status: string }).status, "ok");
  });

  t.test("an unknown path under /wotx/ answers METHOD_NOT_FOUND with HTTP 200", async (t) => {
    const answer = await call(`${base}/wotx/account/infos/?application_id=${KEY}`);
    t.equal(answer.status, 200);
    t.same(JSON.parse(answer.body), methodNotFound);
  });

  t.test("the method path without its trailing slash is not found", async (t) => {
    const answer = await apiGet(base, "/wotx/account/info", { application_id: KEY });
    t.same(answer, methodNotFound);
  });

  t.test("a wrong game prefix is not found either", async (t) => {
    const answer = await apiGet(base, "/wotc/account/info/", { application_id: KEY });
    t.same(answer, methodNotFound);
  });

  t.test("an HTTP method other than GET or POST is not found", async (t) => {
    const url = `${base}/wotx/account/info/?application_id=${KEY}`;
    const answer = await call(url, { method: "PUT" });
    t.same(JSON.parse(answer.body), methodNotFound);
  });

  t.test("answers are JSON with a JSON content type", async (t) => {
    const answer = await call(`${base}/wotx/account/info/?application_id=${KEY}&account_id=5001`);
    t.match(answer.headers["content-type"], /^application\/json/);
  });

  t.test("gzip is used when the client accepts it", async (t) => {
    const url = `${base}/wotx/account/info/?application_id=${KEY}&account_id=5001,5003`;
    const plain = await call(url);
    const zipped = await call(url, { headers: { "accept-encoding": "gzip, deflate" } });
    t.equal(plain.gzipped, false);
    t.equal(zipped.gzipped, true);
    t.equal(zipped.body, plain.body);
  });

  t.test("an unknown /sim/ endpoint answers HTTP 404", async (t) => {
    const answer = await call(`${base}/sim/nothing`);
    t.equal(answer.status, 404);
  });
});
