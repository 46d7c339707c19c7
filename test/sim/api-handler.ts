import type { IncomingMessage, ServerResponse } from "node:http";
import { answerAccountInfo, infoEnvelopeJson, type InfoAnswer } from "./account-info";
import { answerAccountList } from "./account-list";
import { apiErrors, errorEnvelopeJson, isApiError, type ApiError } from "./api-errors";
import { edgeErrorPage } from "./edge-page";
import type { FaultDraw, FaultKind } from "./faults";
import { sendBody } from "./http-reply";
import { clientIpOf, readRequestParams, type RequestParams } from "./request-params";
import type { ServerContext } from "./server-context";

/** The API methods; the trailing slash is part of the name (a slash-less path is not found). */
const API_METHODS: Record<string, "info" | "list"> = {
  "/wotx/account/info/": "info",
  "/wotx/account/list/": "list",
};

const LANGUAGES = new Set(["en", "ru", "pl", "de", "fr", "es", "tr"]);

const EDGE_STATUSES = [502, 503, 504];

const NO_FAULT: FaultDraw = { kind: "none", detail: 0 };

/** An answer decided for a request and the fault actually applied to it. */
interface Outcome {
  body: string;
  fault: FaultKind | "none";
}

/**
 * Answers a request outside /sim/ the way WG's API would. Check order: method path, key,
 * budget, injected API faults, disabled method, then the method's own parameters. Faults
 * are drawn for account/info only, so the fault sequence follows the tracker's requests.
 */
export async function handleApiRequest(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const params = await readRequestParams(req, url);
  const clientIp = clientIpOf(req, ctx.clientIpHeader);
  ctx.stats.recordRequest(url.pathname, clientIp, params.get("application_id"));

  const readable = req.method === "GET" || req.method === "POST";
  const method = readable ? API_METHODS[url.pathname] : undefined;
  const fault = method === "info" ? ctx.faults.draw() : NO_FAULT;

  if (fault.kind === "edge5xx") {
    // The edge answers before the API sees the request, so no budget is used.
    ctx.stats.recordFault("edge5xx");
    const status = EDGE_STATUSES[Math.floor(fault.detail * EDGE_STATUSES.length)];
    sendBody(req, res, status, edgeErrorPage(status), "text/html");
    return;
  }
  if (fault.kind === "emptyBody") {
    ctx.stats.recordFault("emptyBody");
    sendBody(req, res, 200, "");
    return;
  }

  const outcome = decide(ctx, method, params, clientIp, fault);
  if (method === "info") {
    ctx.stats.recordFault(outcome.fault);
  }
  if (outcome.fault === "stall") {
    holdBack(ctx, req, res, outcome.body);
    return;
  }
  sendBody(req, res, 200, outcome.body);
}

function decide(
  ctx: ServerContext,
  method: "info" | "list" | undefined,
  params: RequestParams,
  clientIp: string,
  fault: FaultDraw,
): Outcome {
  const reject = (error: ApiError): Outcome => {
    ctx.stats.recordRejection(error.message);
    return { body: errorEnvelopeJson(error), fault: fault.kind === "stall" ? "stall" : "none" };
  };
  if (method === undefined) {
    return reject(apiErrors.methodNotFound());
  }

  const key = ctx.keys.authorize(params.get("application_id"), clientIp);
  if (isApiError(key)) {
    return reject(key);
  }
  const admitted = ctx.limiter.admit(key, clientIp, performance.now(), ctx.rateLimit);
  ctx.stats.recordBudget(key.applicationId, admitted, Date.now());
  if (!admitted) {
    return reject(apiErrors.requestLimitExceeded());
  }

  const injected = injectedError(fault);
  if (injected !== undefined) {
    return { body: injected, fault: fault.kind };
  }
  if (ctx.faults.current().methodDisabled) {
    return reject(apiErrors.methodDisabled());
  }
  const language = params.get("language");
  if (language !== undefined && language !== "" && !LANGUAGES.has(language)) {
    return reject(apiErrors.invalidLanguage(language));
  }

  if (method === "list") {
    const list = answerAccountList(ctx.sim, params);
    if (isApiError(list)) {
      return reject(list);
    }
    return { body: listEnvelopeJson(list.dataJson, list.count), fault: "none" };
  }

  const info = answerAccountInfo(ctx.sim, params);
  return isApiError(info) ? reject(info) : shapeInfo(info, fault);
}

function injectedError(fault: FaultDraw): string | undefined {
  switch (fault.kind) {
    case "sourceNotAvailable":
      return errorEnvelopeJson(apiErrors.sourceNotAvailable());
    case "requestLimit":
      return errorEnvelopeJson(apiErrors.requestLimitExceeded());
    case "errorAsString":
      return JSON.stringify({ status: "error", error: "SOURCE_NOT_AVAILABLE" });
    default:
      return undefined;
  }
}

/** Applies a body-shape fault to a successful account/info answer. */
function shapeInfo(info: InfoAnswer, fault: FaultDraw): Outcome {
  const count = info.entries.length;
  switch (fault.kind) {
    case "okWithoutData":
      return { body: `{"status":"ok","meta":{"count":${count}}}`, fault: fault.kind };
    case "metaCountWrong": {
      const tooLow = count > 1 && fault.detail < 0.5;
      const wrong = tooLow ? count - 1 : count + 1 + Math.floor(fault.detail * 3);
      return { body: infoEnvelopeJson(info.entries, wrong), fault: fault.kind };
    }
    case "unrequestedId": {
      const extra = unrequestedId(info.ids, fault.detail);
      const entries = [...info.entries, info.renderEntry(extra)];
      return { body: infoEnvelopeJson(entries), fault: fault.kind };
    }
    case "truncated": {
      const body = infoEnvelopeJson(info.entries);
      const cut = Math.floor(body.length * (0.2 + 0.6 * fault.detail));
      return { body: body.slice(0, Math.max(1, cut)), fault: fault.kind };
    }
    case "stall":
      return { body: infoEnvelopeJson(info.entries), fault: "stall" };
    default:
      return { body: infoEnvelopeJson(info.entries), fault: "none" };
  }
}

/** An id just above the requested ones (so often a real neighbour) that was not asked for. */
function unrequestedId(ids: number[], detail: number): number {
  const asked = new Set(ids);
  let id = Math.max(...ids) + 1 + Math.floor(detail * 50);
  while (asked.has(id)) {
    id++;
  }
  return id;
}

function listEnvelopeJson(dataJson: string, count: number): string {
  return `{"status":"ok","meta":{"count":${count}},"data":${dataJson}}`;
}

/** Sends the answer only after stallMs; close() drops held answers so nothing waits on them. */
function holdBack(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
): void {
  const entry = {
    res,
    timer: setTimeout(() => {
      ctx.stalled.delete(entry);
      sendBody(req, res, 200, body);
    }, ctx.faults.current().stallMs),
  };
  ctx.stalled.add(entry);
  res.on("close", () => {
    clearTimeout(entry.timer);
    ctx.stalled.delete(entry);
  });
}
