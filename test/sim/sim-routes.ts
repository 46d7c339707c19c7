import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiKey } from "./api-keys";
import type { FaultSettings } from "./faults";
import { sendJson } from "./http-reply";
import { parsePlatform } from "./platform";
import { trackerPlayerJson } from "./player-object";
import { readBody } from "./request-params";
import type { ServerContext } from "./server-context";

/** Largest page of /sim/accounts; a page of this size is about 30 MB of JSON. */
const MAX_ACCOUNTS_PAGE = 100_000;

type Route = (ctx: ServerContext, url: URL, body: unknown, res: ServerResponse) => void;

/** Simulator controls under /sim/ (not part of WG's API), keyed by "METHOD path". */
const ROUTES: Record<string, Route> = {
  "POST /sim/advance-day": advanceDay,
  "GET /sim/truth": truth,
  "GET /sim/accounts": accounts,
  "GET /sim/info": info,
  "GET /sim/stats": stats,
  "POST /sim/reset-stats": resetStats,
  "POST /sim/faults": faults,
  "POST /sim/keys": keys,
};

/** A bad /sim/ request; answered with HTTP 400 and its message. */
class BadSimRequest extends Error {}

export async function handleSimRequest(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const route = ROUTES[`${req.method} ${url.pathname}`];
  if (route === undefined) {
    sendJson(res, 404, { error: `no simulator endpoint ${req.method} ${url.pathname}` });
    return;
  }

  try {
    const text = req.method === "POST" ? await readBody(req) : "";
    route(ctx, url, text.trim() === "" ? {} : JSON.parse(text), res);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    sendJson(res, err instanceof BadSimRequest || err instanceof SyntaxError ? 400 : 500, {
      error: message,
    });
  }
}

function advanceDay(ctx: ServerContext, url: URL, _body: unknown, res: ServerResponse): void {
  const days = integerParam(url, "days", 1);
  let truth = ctx.sim.truth();
  for (let i = 0; i < days; i++) {
    truth = ctx.sim.advanceDay();
  }
  sendJson(res, 200, truth);
}

function truth(ctx: ServerContext, url: URL, _body: unknown, res: ServerResponse): void {
  const day = integerParam(url, "day", ctx.sim.day);
  if (day < 1 || day > ctx.sim.day) {
    throw new BadSimRequest(`day must be in [1, ${ctx.sim.day}]`);
  }
  if (!url.searchParams.has("platform")) {
    sendJson(res, 200, ctx.sim.truth(day));
    return;
  }

  const platform = platformParam(url);
  const from = integerParam(url, "from", 0);
  const to = integerParam(url, "to", Number.MAX_SAFE_INTEGER);
  const count = ctx.sim.accountsInRange(platform, from, to, day);
  sendJson(res, 200, { ...ctx.sim.truth(day), range: { platform, from, to, accounts: count } });
}

/** Writes one page of account totals as JSON text straight from the typed arrays. */
function accounts(ctx: ServerContext, url: URL, _body: unknown, res: ServerResponse): void {
  const platform = platformParam(url);
  const from = integerParam(url, "from", 0);
  const to = integerParam(url, "to", Number.MAX_SAFE_INTEGER);
  const limit = Math.min(integerParam(url, "limit", 10_000), MAX_ACCOUNTS_PAGE);
  const pop = ctx.sim.populations[platform];

  const parts: string[] = [];
  let nextFrom: number | null = null;
  const last = Math.min(to, pop.firstId + pop.length - 1);
  for (let id = Math.max(from, pop.firstId); id <= last; id++) {
    const offset = pop.offsetOf(id);
    if (offset < 0) {
      continue;
    }
    if (parts.length === limit) {
      nextFrom = id;
      break;
    }
    parts.push(trackerPlayerJson(pop, offset, ctx.sim.options));
  }

  const head = JSON.stringify({ platform, day: ctx.sim.day, from, to, nextFrom });
  const body = `${head.slice(0, -1)},"accounts":[${parts.join(",")}]}`;
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  res.end(body);
}

function info(ctx: ServerContext, _url: URL, _body: unknown, res: ServerResponse): void {
  const o = ctx.sim.options;
  sendJson(res, 200, {
    day: ctx.sim.day,
    date: ctx.sim.calendar.date(ctx.sim.day),
    seed: o.seed,
    idsPerPlatform: o.idsPerPlatform,
    firstId: { xbox: o.xboxFirstId, ps: o.psFirstId },
    highestId: { xbox: ctx.sim.populations.xbox.highestId, ps: ctx.sim.populations.ps.highestId },
    rateLimit: ctx.rateLimit,
    keys: ctx.keys.list(),
    faults: ctx.faults.current(),
  });
}

function stats(ctx: ServerContext, _url: URL, _body: unknown, res: ServerResponse): void {
  sendJson(res, 200, ctx.stats.snapshot((id) => ctx.limiter.maxInAnyWindow(id)));
}

function resetStats(ctx: ServerContext, _url: URL, _body: unknown, res: ServerResponse): void {
  ctx.stats.reset();
  ctx.limiter.resetMaxima();
  sendJson(res, 200, { ok: true });
}

/** Body: fault shares and switches to merge in; `"replace": true` drops the others first. */
function faults(ctx: ServerContext, _url: URL, body: unknown, res: ServerResponse): void {
  const { replace, ...settings } = objectBody(body) as FaultSettings & { replace?: boolean };
  try {
    ctx.faults.update(settings, replace === true);
  } catch (err) {
    throw new BadSimRequest((err as Error).message);
  }
  sendJson(res, 200, ctx.faults.current());
}

/** Body: `{ keys: ApiKey[], replace?: boolean }`; keys with a known applicationId are replaced. */
function keys(ctx: ServerContext, _url: URL, body: unknown, res: ServerResponse): void {
  const { keys: list, replace } = objectBody(body) as { keys?: ApiKey[]; replace?: boolean };
  if (!Array.isArray(list)) {
    throw new BadSimRequest("body must be { keys: ApiKey[], replace?: boolean }");
  }
  try {
    if (replace === true) {
      ctx.keys.replaceAll(list);
    } else {
      ctx.keys.put(list);
    }
  } catch (err) {
    throw new BadSimRequest((err as Error).message);
  }
  sendJson(res, 200, { keys: ctx.keys.list() });
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new BadSimRequest("body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function integerParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new BadSimRequest(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function platformParam(url: URL): "xbox" | "ps" {
  const platform = parsePlatform(url.searchParams.get("platform"));
  if (platform === undefined) {
    throw new BadSimRequest('platform must be "xbox" or "ps"');
  }
  return platform;
}
