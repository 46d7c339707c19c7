import net from "node:net";
import * as grpc from "@grpc/grpc-js";
import { ERROR_CODE_TRAILER } from "../shared/errors";
import type { AgentServiceClient, Config } from "../shared/gen/tracker/v1/agent";
import { buildAccountInfoUrl, parseAccountInfo } from "../shared/wg-api";
import { VERSION } from "../shared/version";
import { resolveAgentSettings } from "./agent-settings";
import { NodeHttpGetter } from "./http-get";

export type Verdict = "ok" | "warn" | "fail" | "skip";

/** One line of the doctor's report. */
export interface CheckResult {
  name: string;
  verdict: Verdict;
  detail: string;
}

/** A clock off by more than this is reported as a warning, by more than CLOCK_FAIL_S a failure. */
export const CLOCK_WARN_S = 5;
export const CLOCK_FAIL_S = 60;
/** The account id asked for by the API check; any valid id works, an unknown one answers null. */
export const PROBE_ACCOUNT_ID = 1_000_000_001;

/** Connects a TCP socket to host:port and closes it again. */
export function checkTcp(server: string, timeoutMs: number): Promise<CheckResult> {
  const name = "server reachable (TCP)";
  const { host, port } = splitServer(server);
  const started = Date.now();

  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const done = (verdict: Verdict, detail: string) => {
      socket.destroy();
      resolve({ name, verdict, detail });
    };
    socket.once("connect", () => {
      done("ok", `${host}:${port} accepted the connection in ${Date.now() - started} ms`);
    });
    socket.once("timeout", () => done("fail", `no answer from ${host}:${port} in ${timeoutMs} ms`));
    socket.once("error", (err) => done("fail", `${host}:${port}: ${err.message}`));
  });
}

/** What one brief Session told the doctor. */
export interface SessionProbe {
  config?: Config;
  /** The HTTP/2 Date header of the server's answer. */
  serverDate?: string;
  sentAtMs: number;
  answeredAtMs: number;
  error?: string;
  /** The gRPC status of a refusal; absent when no status came back (timeout). */
  grpcCode?: grpc.status;
  /** Our error code from the refusal's trailers, e.g. AGENT_NOT_ENROLLED. */
  errorCode?: string;
}

/**
 * Opens a Session on `client` (closed afterwards), says Hello with `agentId`, waits for the
 * Config, and closes the stream without asking for work.
 */
export function probeSession(
  client: AgentServiceClient,
  agentId: string,
  timeoutMs: number,
): Promise<SessionProbe> {
  const call = client.session();
  const sentAtMs = Date.now();
  const probe: SessionProbe = { sentAtMs, answeredAtMs: sentAtMs };

  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(`no Config within ${timeoutMs} ms`), timeoutMs);
    const finish = (error?: string) => {
      clearTimeout(timer);
      if (error !== undefined && probe.error === undefined && !probe.config) probe.error = error;
      call.removeAllListeners("data");
      call.on("error", () => undefined);
      call.cancel();
      client.close();
      resolve(probe);
    };

    call.on("metadata", (metadata) => {
      probe.answeredAtMs = Date.now();
      const date = metadata.get("date")[0];
      if (typeof date === "string") probe.serverDate = date;
    });
    call.on("data", (message: { kind?: { $case: string; value: unknown } }) => {
      if (message.kind?.$case !== "config") return;
      probe.config = message.kind.value as Config;
      finish();
    });
    call.on("error", (err: grpc.ServiceError) => {
      probe.grpcCode = err.code;
      const code = err.metadata?.get(ERROR_CODE_TRAILER)[0];
      if (typeof code === "string") probe.errorCode = code;
      finish(err.details || err.message);
    });
    call.on("end", () => finish("the server ended the session before sending a Config"));

    const hello = {
      agentId,
      agentName: "tracker-agent doctor",
      version: VERSION,
      os: process.platform,
      arch: process.arch,
      capacity: 1,
    };
    call.write({ kind: { $case: "hello", value: hello } });
  });
}

/** gRPC statuses that mean no server answered, as opposed to a server that refused. */
const UNREACHED = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);

export function grpcVerdict(probe: SessionProbe): CheckResult {
  const name = "server reachable (gRPC)";
  const refused = probe.grpcCode !== undefined && !UNREACHED.has(probe.grpcCode);
  if (!probe.config && refused) {
    const code = probe.errorCode ?? grpc.status[probe.grpcCode as grpc.status];
    return { name, verdict: "ok", detail: `the server answered, refusing the Session: ${code}` };
  }
  if (!probe.config) return { name, verdict: "fail", detail: probe.error ?? "no Config" };

  const ms = probe.answeredAtMs - probe.sentAtMs;
  return { name, verdict: "ok", detail: `Session opened, Config received (${ms} ms)` };
}

/**
 * Clock skew from the server's Date header (one-second resolution), against the middle of the
 * round trip.
 */
export function clockVerdict(probe: SessionProbe): CheckResult {
  const name = "clock skew";
  const serverMs = probe.serverDate ? Date.parse(probe.serverDate) : NaN;
  if (Number.isNaN(serverMs)) {
    return { name, verdict: "skip", detail: "the server's answer had no Date header" };
  }

  const localMs = (probe.sentAtMs + probe.answeredAtMs) / 2;
  const skewS = (localMs - serverMs) / 1000;
  // The header drops the milliseconds, so up to a second of "skew" is only rounding.
  const apparentS = Math.abs(skewS) <= 1 ? 0 : skewS;
  const way = apparentS > 0 ? "ahead of" : "behind";
  const detail =
    apparentS === 0
      ? "within 1 s of the server"
      : `${Math.abs(apparentS).toFixed(1)} s ${way} the server`;

  const size = Math.abs(apparentS);
  const verdict = size > CLOCK_FAIL_S ? "fail" : size > CLOCK_WARN_S ? "warn" : "ok";
  return { name, verdict, detail: verdict === "ok" ? detail : `${detail}: set the clock (NTP)` };
}

/** One account/info request with the Config's base URL and key. */
export async function checkApi(config: Config, timeoutMs: number): Promise<CheckResult> {
  const name = "API reachable";
  const resolved = resolveAgentSettings(config);
  if ("problem" in resolved) return { name, verdict: "fail", detail: resolved.problem };

  const { settings } = resolved;
  const http = new NodeHttpGetter();
  const started = Date.now();
  try {
    const url = buildAccountInfoUrl({ ...settings, accountIds: [PROBE_ACCOUNT_ID] });
    const answer = await http.get(url, timeoutMs, new AbortController().signal);
    const result = parseAccountInfo({
      requestedIds: [PROBE_ACCOUNT_ID],
      httpStatus: answer.status,
      contentType: answer.contentType,
      body: answer.body,
    });
    const where = `${settings.apiBaseUrl} (${Date.now() - started} ms)`;

    if (result.kind === "ok") return { name, verdict: "ok", detail: `account/info from ${where}` };
    if (result.kind === "api-error") {
      const verdict = result.error.message === "REQUEST_LIMIT_EXCEEDED" ? "warn" : "fail";
      return { name, verdict, detail: `${where} answered ${result.error.message}` };
    }
    return { name, verdict: "fail", detail: `${where}: ${result.reason}` };
  } catch (err) {
    return { name, verdict: "fail", detail: `${settings.apiBaseUrl}: ${(err as Error).message}` };
  } finally {
    http.close();
  }
}

/** host and port of HOST:PORT or [V6]:PORT (already validated by the CLI). */
export function splitServer(server: string): { host: string; port: number } {
  const colon = server.lastIndexOf(":");
  const host = server.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(server.slice(colon + 1)) };
}
