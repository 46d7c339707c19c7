import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";

/** One scripted answer of the stub API; `stall` never answers. */
export type StubReply =
  | { status?: number; contentType?: string; body: string; gzip?: boolean }
  | { stall: true };

/** A tiny account/info stand-in on 127.0.0.1 that answers from a script, then with `fallback`. */
export interface WgStub {
  baseUrl: string;
  /** account_id lists of every request, in order. */
  requests: number[][];
  close(): Promise<void>;
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(__dirname, "..", "..", "fixtures", name), "utf8");
}

/** An ok answer with one player object per id, as the API sends with the tracker's fields. */
export function okBody(ids: readonly number[]): string {
  const data: Record<string, unknown> = {};
  for (const id of ids) {
    data[String(id)] = {
      account_id: id,
      nickname: `player_${id}-x`,
      created_at: 1_400_000_000,
      last_battle_time: 1_700_000_000,
      updated_at: 1_700_000_100,
      statistics: { all: { battles: id % 1000, wins: 1, spotted: 2, damage_dealt: 3, frags: 4 } },
    };
  }
  return JSON.stringify({ status: "ok", meta: { count: ids.length }, data });
}

export function errorBody(message: string, code = 407): string {
  return JSON.stringify({ status: "error", error: { code, message, field: null, value: null } });
}

export async function startWgStub(
  script: StubReply[],
  fallback: (ids: number[]) => StubReply = (ids) => ({ body: okBody(ids) }),
): Promise<WgStub> {
  const requests: number[][] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const ids = (url.searchParams.get("account_id") ?? "").split(",").map(Number);
    requests.push(ids);
    const reply = script.shift() ?? fallback(ids);
    if ("stall" in reply) return;

    const encoded = reply.gzip ? gzipSync(reply.body) : Buffer.from(reply.body);
    response.writeHead(reply.status ?? 200, {
      "content-type": reply.contentType ?? "application/json; charset=utf-8",
      ...(reply.gzip ? { "content-encoding": "gzip" } : {}),
    });
    response.end(encoded);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/wotx`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
