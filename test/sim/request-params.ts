import type { IncomingMessage } from "node:http";

/** Bodies larger than this are not read (a full 100-id request is about 1 KB). */
const MAX_BODY_BYTES = 1_000_000;

/** The parameters of an API request, from the query string and, for POST, a form body. */
export type RequestParams = Map<string, string>;

/**
 * Reads the parameters. A POST form body is merged over the query string, so a client may
 * put everything in the body (as go-wargaming does) or split it.
 */
export async function readRequestParams(req: IncomingMessage, url: URL): Promise<RequestParams> {
  const params: RequestParams = new Map(url.searchParams);
  if (req.method !== "POST") {
    return params;
  }

  const body = await readBody(req);
  for (const [name, value] of new URLSearchParams(body)) {
    params.set(name, value);
  }
  return params;
}

/** Reads a request body as UTF-8 text, up to MAX_BODY_BYTES. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new Error(`request body larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The client's IP: the socket address, or a configured header set by tests and proxies. */
export function clientIpOf(req: IncomingMessage, header: string | undefined): string {
  if (header !== undefined) {
    const value = req.headers[header.toLowerCase()];
    const first = (Array.isArray(value) ? value[0] : value)?.split(",")[0]?.trim();
    if (first) {
      return first;
    }
  }
  const address = req.socket.remoteAddress ?? "unknown";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
