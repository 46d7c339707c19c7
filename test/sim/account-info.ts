import { parseAccountIds } from "./account-ids";
import { isApiError, type ApiError } from "./api-errors";
import { isTrackerFieldList, parseFields, selectFields } from "./fields";
import { fullPlayer, trackerPlayerJson } from "./player-object";
import type { RequestParams } from "./request-params";
import type { Simulation } from "./simulation";

/** A successful account/info answer before it is wrapped in the envelope. */
export interface InfoAnswer {
  /** Unique requested ids in request order. */
  ids: number[];
  /** One `"<id>":<object or null>` member of `data` per id. */
  entries: string[];
  /** Renders the member for any other id the same way (used by the unrequestedId fault). */
  renderEntry(id: number): string;
}

/**
 * Answers account/info. The tracker's usual `fields` list takes the fast path that writes
 * JSON text directly; any other list builds the full object and filters it.
 */
export function answerAccountInfo(sim: Simulation, params: RequestParams): InfoAnswer | ApiError {
  const ids = parseAccountIds(params.get("account_id"));
  if (isApiError(ids)) {
    return ids;
  }

  const rawFields = params.get("fields");
  const renderObject = isTrackerFieldList(rawFields)
    ? (id: number): string => trackerJson(sim, id)
    : filteredRenderer(sim, rawFields);
  if (isApiError(renderObject)) {
    return renderObject;
  }

  const renderEntry = (id: number): string => `"${id}":${renderObject(id)}`;
  return { ids, entries: ids.map(renderEntry), renderEntry };
}

/** The JSON text of a success envelope around the given `data` members. */
export function infoEnvelopeJson(entries: string[], count = entries.length): string {
  return `{"status":"ok","meta":{"count":${count}},"data":{${entries.join(",")}}}`;
}

function trackerJson(sim: Simulation, id: number): string {
  const { population, offset } = sim.locate(id);
  return offset < 0 ? "null" : trackerPlayerJson(population, offset, sim.options);
}

function filteredRenderer(
  sim: Simulation,
  rawFields: string | undefined,
): ((id: number) => string) | ApiError {
  const selection = parseFields(rawFields);
  if (isApiError(selection)) {
    return selection;
  }

  return (id: number): string => {
    const { population, offset } = sim.locate(id);
    if (offset < 0) {
      return "null";
    }
    const player = fullPlayer(population, offset, sim.options);
    return JSON.stringify(selectFields(player, selection.include, selection.exclude));
  };
}
