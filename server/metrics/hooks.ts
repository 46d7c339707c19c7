import type { BatchFailed } from "../../shared/gen/tracker/v1/agent";
import type { MergeOutcome } from "../ingest/types";

/** What the agent hub reports to the metrics; the hub calls these and knows nothing else. */
export interface HubMetrics {
  /** Assignments sent against an agent's credit. */
  creditGranted(assignments: number): void;
  /** API requests an agent made for one batch (BatchResult.requests), by the key it held. */
  apiRequests(apiKeyId: number | null, requests: number): void;
  /** A batch the agent could not fetch (not one it returned untried). */
  batchFailed(failed: BatchFailed): void;
}

/** What the ingest reports: one call per committed flush. */
export interface IngestMetrics {
  merged(outcome: MergeOutcome, results: number): void;
}

export const NO_HUB_METRICS: HubMetrics = {
  creditGranted: () => undefined,
  apiRequests: () => undefined,
  batchFailed: () => undefined,
};
