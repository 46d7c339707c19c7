import type { Config } from "../shared/gen/tracker/v1/agent";
import { TRACKER_FIELDS } from "../shared/wg-api";

/** Used when a Config leaves requests_per_second at 0: the smallest common per-IP budget. */
export const DEFAULT_REQUESTS_PER_SECOND = 2;
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_RETRY_INITIAL_MS = 500;
export const DEFAULT_RETRY_MAX_MS = 30_000;
export const DEFAULT_LANGUAGE = "en";

/** A Config with every unset (zero) field replaced by its default. */
export interface AgentSettings {
  apiBaseUrl: string;
  applicationId: string;
  requestsPerSecond: number;
  /** 0 means "as many as the agent's capacity". */
  maxInFlight: number;
  fields: readonly string[];
  language: string;
  requestTimeoutMs: number;
  maxAttempts: number;
  retryInitialMs: number;
  retryMaxMs: number;
  apiKeyId: number;
}

export type SettingsResult = { settings: AgentSettings } | { problem: string };

function orDefault(value: number, fallback: number): number {
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Applies defaults to a Config (proto3 sends unset numbers as 0) and refuses one the agent
 * cannot work with at all: without a base URL or API key every request would fail.
 */
export function resolveAgentSettings(config: Config): SettingsResult {
  if (config.applicationId === "") return { problem: "Config has no application_id" };

  try {
    const url = new URL(config.apiBaseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return { problem: `api_base_url ${config.apiBaseUrl} is not http(s)` };
    }
  } catch {
    return { problem: `api_base_url ${JSON.stringify(config.apiBaseUrl)} is not a URL` };
  }

  const settings: AgentSettings = {
    apiBaseUrl: config.apiBaseUrl,
    applicationId: config.applicationId,
    requestsPerSecond: orDefault(config.requestsPerSecond, DEFAULT_REQUESTS_PER_SECOND),
    maxInFlight: orDefault(config.maxInFlight, 0),
    fields: config.fields.length > 0 ? config.fields : TRACKER_FIELDS,
    language: config.language || DEFAULT_LANGUAGE,
    requestTimeoutMs: orDefault(config.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
    maxAttempts: orDefault(config.maxAttempts, DEFAULT_MAX_ATTEMPTS),
    retryInitialMs: orDefault(config.retryInitialMs, DEFAULT_RETRY_INITIAL_MS),
    retryMaxMs: orDefault(config.retryMaxMs, DEFAULT_RETRY_MAX_MS),
    apiKeyId: config.apiKeyId,
  };
  return { settings };
}
