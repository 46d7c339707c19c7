import { createHook } from "node:async_hooks";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import t from "tap";
import { MAX_BODY_BYTES, NodeHttpGetter, TransportError } from "../../agent/http-get";

/** A server on 127.0.0.1 whose path picks the answer; /stall never answers. */
async function startServer() {
  const server = http.createServer((request, response) => {
    switch (request.url) {
      case "/gzip":
        response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        return response.end(gzipSync('{"status":"ok"}'));
      case "/bad-gzip":
        response.writeHead(200, { "content-encoding": "gzip" });
        return response.end("not gzip at all");
      case "/huge":
        response.writeHead(200, { "content-type": "application/json" });
        return response.end(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20));
      case "/cut":
        response.writeHead(200, { "content-length": "1000" });
        response.write("only part of it");
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      case "/stall":
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => new URL(`http://127.0.0.1:${port}${path}`),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Timers of exactly `delayMs` neither fired nor cleared yet, counted through async_hooks. */
function watchTimers(delayMs: number) {
  const live = new Set<number>();
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (type === "Timeout" && (resource as { _idleTimeout?: number })._idleTimeout === delayMs) {
        live.add(id);
      }
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return { live: () => live.size, stop: () => hook.disable() };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the request to fail");
}

t.test("NodeHttpGetter", async (t) => {
  const server = await startServer();
  const getter = new NodeHttpGetter();
  t.teardown(async () => {
    getter.close();
    await server.close();
  });
  const signal = () => new AbortController().signal;

  t.test("a gzip answer is inflated and leaves no timer behind", async (t) => {
    const timers = watchTimers(4_321);
    t.teardown(timers.stop);
    const answer = await getter.get(server.url("/gzip"), 4_321, signal());
    // async_hooks reports a cleared timer's destroy a little later.
    await new Promise((resolve) => setTimeout(resolve, 20));

    t.same(answer, { status: 200, contentType: "application/json", body: '{"status":"ok"}' });
    t.equal(timers.live(), 0, "the request's timeout was cleared with the answer");
  });

  t.test("an answer that takes too long is a timeout", async (t) => {
    const started = Date.now();
    const err = await failure(getter.get(server.url("/stall"), 150, signal()));

    t.ok(err instanceof TransportError);
    t.equal((err as TransportError).failure, "timeout");
    t.match((err as TransportError).message, /within 150 ms/);
    t.ok(Date.now() - started < 2_000, "given up soon after the timeout");
  });

  t.test("aborting rejects with the signal's reason, before or during the request", async (t) => {
    const controller = new AbortController();
    const reason = new Error("lease revoked");
    const pending = getter.get(server.url("/stall"), 5_000, controller.signal);
    setTimeout(() => controller.abort(reason), 50);
    t.equal(await failure(pending), reason);

    t.equal(await failure(getter.get(server.url("/gzip"), 5_000, controller.signal)), reason);
  });

  t.test("an oversized body, a bad gzip and a cut connection are transport failures", async (t) => {
    const kinds = [];
    for (const path of ["/huge", "/bad-gzip", "/cut"]) {
      const err = await failure(getter.get(server.url(path), 5_000, signal()));
      t.ok(err instanceof TransportError, path);
      kinds.push((err as TransportError).failure);
    }
    t.same(kinds, ["too-large", "decode", "connection"]);
  });
});
