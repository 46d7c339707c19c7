import http from "node:http";
import https from "node:https";
import { gunzipSync } from "node:zlib";

/** An answer larger than this is refused: 100 full player objects are well under 1 MB. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Sockets kept per host; enough for any maxInFlight the server pushes. */
const MAX_SOCKETS_PER_HOST = 32;

/** One HTTP answer, whatever its status. */
export interface HttpAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Why a request produced no answer. */
export type TransportFailure = "timeout" | "connection" | "decode" | "too-large";

export class TransportError extends Error {
  constructor(
    readonly failure: TransportFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TransportError";
  }
}

/** The HTTP layer the API client needs; tests can pass their own. */
export interface HttpGetter {
  get(url: URL, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer>;
  close(): void;
}

/**
 * GET over node:http / node:https with keep-alive sockets. Chosen over global fetch because
 * fetch (undici) adds WHATWG stream and Headers objects to every request, which costs more CPU
 * per request than the plain callback API for small JSON answers like ours.
 */
export class NodeHttpGetter implements HttpGetter {
  private readonly httpAgent = new http.Agent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS_PER_HOST,
  });
  private readonly httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS_PER_HOST,
  });

  /**
   * One plain timer per request, cleared with the answer, instead of AbortSignal.timeout and
   * AbortSignal.any: those leave a timer behind for every request that fires timeoutMs later
   * and builds a DOMException, which at 20 requests/s was a measurable share of the agent's CPU.
   */
  get(url: URL, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer> {
    if (signal.aborted) return Promise.reject(signal.reason);

    return new Promise((resolve, reject) => {
      let settled = false;
      const settle: Settle = (err, answer) => {
        if (settled) return;

        settled = true;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (answer) return resolve(answer);

        request.destroy();
        reject(transportFailure(err, signal));
      };

      const timer = setTimeout(() => {
        settle(new TransportError("timeout", `no complete answer within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      const onAbort = () => settle(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });

      const request = this.send(url, (response) => readAnswer(response, settle));
      request.on("error", (err) => settle(err));
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private send(url: URL, onResponse: (response: http.IncomingMessage) => void) {
    const secure = url.protocol === "https:";
    const options: http.RequestOptions = {
      agent: secure ? this.httpsAgent : this.httpAgent,
      headers: { accept: "application/json", "accept-encoding": "gzip" },
    };
    return secure ? https.get(url, options, onResponse) : http.get(url, options, onResponse);
  }
}

/** The caller's abort reason wins; any error that is not a TransportError is a connection one. */
function transportFailure(err: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (err instanceof TransportError) return err;
  return new TransportError("connection", (err as Error).message, { cause: err });
}

type Settle = (err: unknown, answer?: HttpAnswer) => void;

/** Collects the body with plain stream events (cheaper than an async iterator) and decodes it. */
function readAnswer(response: http.IncomingMessage, settle: Settle): void {
  const chunks: Buffer[] = [];
  let size = 0;

  response.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      response.destroy();
      settle(new TransportError("too-large", `answer larger than ${MAX_BODY_BYTES} bytes`));
      return;
    }
    chunks.push(chunk);
  });
  response.on("error", (err) => settle(err));
  // Every answer ends with "close": the error is built only when no "end" came before it,
  // since capturing its stack on each request would cost more than the rest of this function.
  let ended = false;
  response.on("close", () => {
    if (!ended) settle(new TransportError("connection", "connection closed mid-answer"));
  });
  response.on("end", () => {
    ended = true;
    if (!response.complete) {
      settle(new TransportError("connection", "connection closed mid-answer"));
      return;
    }
    try {
      const body = decode(Buffer.concat(chunks), response.headers["content-encoding"]);
      const contentType = response.headers["content-type"];
      settle(null, { status: response.statusCode ?? 0, contentType, body: body.toString("utf8") });
    } catch (err) {
      settle(err);
    }
  });
}

function decode(raw: Buffer, encoding: string | undefined): Buffer {
  if (encoding !== "gzip" || raw.length === 0) return raw;

  // Synchronous on purpose: answers are tens of KB, where the thread-pool hop of the async
  // variant costs more than the inflation itself.
  try {
    return gunzipSync(raw);
  } catch (err) {
    throw new TransportError("decode", `bad gzip body: ${(err as Error).message}`, { cause: err });
  }
}
