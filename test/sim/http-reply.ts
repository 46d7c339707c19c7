import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

const JSON_TYPE = "application/json; charset=utf-8";

/** Sends a body, gzip-compressed when the client accepts it and there is something to send. */
export function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  contentType = JSON_TYPE,
): void {
  if (res.destroyed) {
    return;
  }
  const accepts = String(req.headers["accept-encoding"] ?? "");
  const headers: Record<string, string | number> = { "content-type": contentType };
  let payload = Buffer.from(body, "utf8");
  if (payload.length > 0 && /\bgzip\b/.test(accepts)) {
    payload = gzipSync(payload);
    headers["content-encoding"] = "gzip";
  }
  headers["content-length"] = payload.length;
  res.writeHead(status, headers);
  res.end(payload);
}

/** Sends a /sim/ answer as JSON (never compressed, to keep curl use simple). */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const payload = Buffer.from(JSON.stringify(value), "utf8");
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": payload.length });
  res.end(payload);
}
