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

  get(url: URL, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);

    return this.request(url, combined).catch((err: unknown) => {
      if (signal.aborted) throw signal.reason;
      if (timeout.aborted) {
        throw new TransportError("timeout", `no complete answer within ${timeoutMs} ms`);
      }
      if (err instanceof TransportError) throw err;
      throw new TransportError("connection", (err as Error).message, { cause: err });
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private request(url: URL, signal: AbortSignal): Promise<HttpAnswer> {
    const secure = url.protocol === "https:";
    const options: http.RequestOptions = {
      agent: secure ? this.httpsAgent : this.httpAgent,
      headers: { accept: "application/json", "accept-encoding": "gzip" },
      signal,
    };

    return new Promise((resolve, reject) => {
      const onResponse = (response: http.IncomingMessage) => {
        readAnswer(response).then(resolve, reject);
      };
      const request = secure
        ? https.get(url, options, onResponse)
        : http.get(url, options, onResponse);
      request.on("error", reject);
    });
  }
}

async function readAnswer(response: http.IncomingMessage): Promise<HttpAnswer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      response.destroy();
      throw new TransportError("too-large", `answer larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }

  if (!response.complete) throw new TransportError("connection", "connection closed mid-answer");
  const raw = Buffer.concat(chunks);
  return {
    status: response.statusCode ?? 0,
    contentType: response.headers["content-type"],
    body: decode(raw, response.headers["content-encoding"]).toString("utf8"),
  };
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
