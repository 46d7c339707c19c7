import { request } from "node:http";
import { gunzipSync } from "node:zlib";

/** A raw HTTP answer, body already un-gzipped. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Whether the body came gzip-compressed. */
  gzipped: boolean;
}

export interface CallOptions {
  method?: "GET" | "POST" | "PUT";
  /** A form body (POST) or any text. */
  body?: string;
  headers?: Record<string, string>;
  /** Source address, e.g. 127.0.0.2, to act as another client IP on loopback. */
  localAddress?: string;
  /** Give up after this long. @default 10_000 */
  timeoutMs?: number;
}

/** A small node:http client for the simulator's tests (loopback only, fresh connection each). */
export function call(url: string, options: CallOptions = {}): Promise<RawAnswer> {
  const { method = "GET", body, headers = {}, localAddress, timeoutMs = 10_000 } = options;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        const gzipped = res.headers["content-encoding"] === "gzip";
        const text = (gzipped ? gunzipSync(raw) : raw).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, gzipped });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** GET of an API method with the given parameters, answer parsed as JSON. */
export async function apiGet(
  base: string,
  path: string,
  params: Record<string, string>,
  options: CallOptions = {},
): Promise<unknown> {
  const answer = await call(`${base}${path}?${new URLSearchParams(params)}`, options);
  return JSON.parse(answer.body) as unknown;
}

/** POST of an API method with the parameters in a form body, answer parsed as JSON. */
export async function apiPost(
  base: string,
  path: string,
  params: Record<string, string>,
): Promise<unknown> {
  const answer = await call(`${base}${path}`, {
    method: "POST",
    body: new URLSearchParams(params).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  return JSON.parse(answer.body) as unknown;
}

/** A GET of a /sim/ control; fails unless HTTP 200. */
export async function simGet(base: string, path: string): Promise<unknown> {
  return simAnswer(path, await call(`${base}${path}`));
}

/** A POST of a /sim/ control with an optional JSON body; fails unless HTTP 200. */
export async function simPost(base: string, path: string, body?: unknown): Promise<unknown> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return simAnswer(path, await call(`${base}${path}`, { method: "POST", body: text }));
}

function simAnswer(path: string, answer: RawAnswer): unknown {
  if (answer.status !== 200) {
    throw new Error(`${path} answered ${answer.status}: ${answer.body}`);
  }
  return JSON.parse(answer.body) as unknown;
}

/** The tracker's `fields` value (WG-API.md §2). */
export const TRACKER_FIELDS_PARAM =
  "created_at,account_id,last_battle_time,nickname,updated_at,statistics.all.spotted," +
  "statistics.all.battles,statistics.all.wins,statistics.all.damage_dealt,statistics.all.frags," +
  "statistics.all.dropped_capture_points";
