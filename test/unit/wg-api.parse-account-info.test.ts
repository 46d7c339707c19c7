import fs from "node:fs";
import path from "node:path";
import t from "tap";
import { parseAccountInfo, type AccountInfoResult } from "../../shared/wg-api";

const FIXTURES = path.join(__dirname, "..", "fixtures");

function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), "utf8");
}

function parseBody(requestedIds: number[], body: string) {
  return parseAccountInfo({ requestedIds, httpStatus: 200, contentType: "", body });
}

function parse(name: string, requestedIds: number[], httpStatus = 200, contentType?: string) {
  const body = fixture(name);
  return parseAccountInfo({ requestedIds, httpStatus, contentType, body });
}

function ok(result: AccountInfoResult) {
  if (result.kind !== "ok") throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result;
}

const OK_IDS = [5001, 5002, 5003, 1073740001, 1073740002];

t.test("a full answer yields players, null ids and a PS profile without statistics", async (t) => {
  const result = ok(parse("account-info-ok.json", OK_IDS, 200, "application/json"));

  t.same(result.nullIds, [5002]);
  t.same(result.missingIds, []);
  t.same(result.unrequestedIds, []);
  t.equal(result.metaCountMismatch, false);
  t.equal(result.players.length, 4);

  const veteran = result.players.find((p) => p.accountId === 5001);
  t.same(veteran, {
    accountId: 5001,
    nickname: "player_5001-x",
    createdAt: 1393632000,
    lastBattleTime: 1718841600,
    updatedAt: 1718845200,
    hasStatistics: true,
    battles: 12345,
    wins: 6543,
    spotted: 15000,
    damageDealt: 14200000,
    frags: 11900,
    droppedCapturePoints: 9800,
  });

  const hidden = result.players.find((p) => p.accountId === 1073740002);
  t.equal(hidden?.hasStatistics, false);
  t.equal(hidden?.battles, 0);
  t.equal(hidden?.nickname, "player_1235-p");
});

t.test("a new account with zero battles has statistics and zero counters", async (t) => {
  const result = ok(parse("account-info-ok-fields.json", [5001, 5002, 5003]));
  const fresh = result.players.find((p) => p.accountId === 5003);
  t.equal(fresh?.hasStatistics, true);
  t.equal(fresh?.battles, 0);
  t.equal(fresh?.lastBattleTime, 0);
  t.same(result.nullIds, [5002]);
});

t.test("an answer of only nulls has no players and every id null", async (t) => {
  const result = ok(parse("account-info-all-null.json", [15499998, 15499999]));
  t.same(result.players, []);
  t.same(result.nullIds.sort(), [15499998, 15499999]);
});

t.test("a meta.count that disagrees with data is flagged and data is trusted", async (t) => {
  const result = ok(parse("odd-meta-count-mismatch.json", [5002, 5004]));
  t.equal(result.metaCountMismatch, true);
  t.equal(result.metaCount, 3);
  t.same(result.nullIds.sort(), [5002, 5004]);
});

t.test("ids in data that were not requested are dropped and listed", async (t) => {
  const result = ok(parse("odd-unrequested-id.json", [5002, 5003]));
  t.same(result.unrequestedIds, [9999999]);
  t.same(result.nullIds, [5002]);
  t.same(result.missingIds, [5003]);
});

t.test("requested ids absent from data are listed as missing", async (t) => {
  const result = ok(parse("account-info-ok-fields.json", [5001, 5002, 5003, 5004]));
  t.same(result.missingIds, [5004]);
});

const ERROR_CLASSES: [string, string, string][] = [
  ["error-application-id-not-specified.json", "APPLICATION_ID_NOT_SPECIFIED", "fatal"],
  ["error-account-id-not-specified.json", "ACCOUNT_ID_NOT_SPECIFIED", "bug"],
  ["error-search-not-specified.json", "SEARCH_NOT_SPECIFIED", "bug"],
  ["error-invalid-application-id.json", "INVALID_APPLICATION_ID", "fatal"],
  ["error-invalid-account-id.json", "INVALID_ACCOUNT_ID", "bug"],
  ["error-invalid-fields.json", "INVALID_FIELDS", "bug"],
  ["error-account-id-list-limit-exceeded.json", "ACCOUNT_ID_LIST_LIMIT_EXCEEDED", "split"],
  ["error-request-limit-exceeded.json", "REQUEST_LIMIT_EXCEEDED", "retry"],
  ["error-invalid-ip-address.json", "INVALID_IP_ADDRESS", "fatal"],
  ["error-application-is-blocked.json", "APPLICATION_IS_BLOCKED", "fatal"],
  ["error-not-enough-search-length.json", "NOT_ENOUGH_SEARCH_LENGTH", "bug"],
  ["error-method-not-found.json", "METHOD_NOT_FOUND", "fatal"],
  ["error-method-disabled.json", "METHOD_DISABLED", "retry-long"],
  ["error-source-not-available.json", "SOURCE_NOT_AVAILABLE", "retry"],
];

for (const [file, message, retry] of ERROR_CLASSES) {
  t.test(`${message} is an API error of class ${retry}`, async (t) => {
    const result = parse(file, [5001]);
    if (result.kind !== "api-error") throw new Error(`expected api-error for ${file}`);
    t.equal(result.error.message, message);
    t.equal(result.retry, retry);
    t.type(result.error.code, "number");
  });
}

t.test("an error envelope keeps code, field and value", async (t) => {
  const result = parse("error-invalid-account-id.json", [5001]);
  if (result.kind !== "api-error") throw new Error("expected api-error");
  t.same(result.error, {
    code: 407,
    message: "INVALID_ACCOUNT_ID",
    field: "account_id",
    value: "5001,abc",
  });
});

t.test("unknown messages are classed by WG's naming patterns", async (t) => {
  const classOf = (message: string, code: number) => {
    const body = JSON.stringify({ status: "error", error: { code, message, field: null } });
    const result = parseAccountInfo({ requestedIds: [1], httpStatus: 200, contentType: "", body });
    return result.kind === "api-error" ? result.retry : result.kind;
  };
  t.equal(classOf("NICKNAME_LIST_LIMIT_EXCEEDED", 407), "split");
  t.equal(classOf("INVALID_SOMETHING", 407), "bug");
  t.equal(classOf("TANK_ID_NOT_SPECIFIED", 402), "bug");
  t.equal(classOf("CLAN_NOT_FOUND", 404), "bug");
  t.equal(classOf("SOMETHING_BROKE", 503), "retry");
  t.equal(classOf("SOMETHING_ODD", 409), "retry");
});

const MALFORMED: [string, string, number, string | undefined][] = [
  ["an HTML 504 page from the edge", "edge-504.html", 504, "text/html"],
  ["a body cut in the middle of the JSON", "malformed.txt", 200, "application/json"],
  ["status ok without data", "invalid-status-ok-without-data.json", 200, undefined],
  ["error as a bare string", "invalid-error-as-string.json", 200, undefined],
];

for (const [what, file, status, contentType] of MALFORMED) {
  t.test(`${what} is a retryable malformed answer`, async (t) => {
    const result = parse(file, [5001], status, contentType);
    t.equal(result.kind, "malformed");
    if (result.kind === "malformed") t.equal(result.retryable, true);
    t.equal(result.httpStatus, status);
  });
}

t.test("other broken bodies are retryable malformed answers", async (t) => {
  const bodies = [
    "",
    "   ",
    "<html>proxy says hi</html>",
    '{"status":"maybe","data":{}}',
    '{"status":"ok","data":[]}',
    '{"status":"error"}',
    '{"status":"error","error":{"code":407}}',
    "[1,2]",
    "null",
  ];
  for (const body of bodies) {
    const result = parseAccountInfo({ requestedIds: [1], httpStatus: 200, contentType: "", body });
    t.equal(result.kind, "malformed", `body ${JSON.stringify(body)}`);
  }
});

t.test("a valid envelope with a non-200 status is still malformed", async (t) => {
  const result = parse("account-info-ok-fields.json", [5001], 503, "application/json");
  t.equal(result.kind, "malformed");
});

t.test("null counters become 0 only when statistics exists", async (t) => {
  const body = JSON.stringify({
    status: "ok",
    meta: { count: 2 },
    data: {
      "7": {
        account_id: 7,
        nickname: "p7-x",
        created_at: null,
        statistics: { all: { battles: 3, wins: null } },
      },
      "8": { account_id: 8, nickname: "p8-x", statistics: { all: { battles: null, wins: 2 } } },
    },
  });
  const result = ok(parseBody([7, 8], body));
  const seven = result.players.find((p) => p.accountId === 7);
  const eight = result.players.find((p) => p.accountId === 8);
  t.equal(seven?.hasStatistics, true);
  t.equal(seven?.wins, 0);
  t.equal(seven?.createdAt, 0);
  t.equal(eight?.hasStatistics, false);
  t.equal(eight?.wins, 0);
});

t.test("an entry whose account_id differs from its key is suspect", async (t) => {
  const body = JSON.stringify({
    status: "ok",
    meta: { count: 2 },
    data: { "7": { account_id: 8, nickname: "x" }, "9": 42 },
  });
  const result = ok(parseBody([7, 9], body));
  t.same(result.players, []);
  t.same(result.suspect.map((entry) => entry.accountId).sort(), [7, 9]);
});

t.test("a player without a nickname is present without statistics", async (t) => {
  const body = JSON.stringify({
    status: "ok",
    meta: { count: 1 },
    data: { "7": { account_id: 7, statistics: { all: { battles: 5 } } } },
  });
  const result = ok(parseBody([7], body));
  t.equal(result.players[0]?.hasStatistics, false);
  t.equal(result.players[0]?.nickname, "");
});
