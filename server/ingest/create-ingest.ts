import type { Logger } from "../../shared/log";
import type { Sql } from "../db/pool";
import type { IngestMetrics } from "../metrics/hooks";
import { IngestBuffer } from "./ingest-buffer";
import { mergeResults } from "./merge";

/** The ingest stage of a coordinator: the buffer that merges accepted results. */
export type Ingest = IngestBuffer;

export interface IngestConfig {
  flushRows: number;
  flushMs: number;
  highWaterRows: number;
  concurrentFlushes?: number;
  /** Share of batches held for a second fetch by another agent. @default 0 */
  verifyShare?: number;
}

export function createIngest(sql: Sql, config: IngestConfig, log: Logger, metrics?: IngestMetrics): Ingest {
  const merge: typeof mergeResults = async (db, results) => {
    const outcome = await mergeResults(db, results, { share: config.verifyShare ?? 0 });
    metrics?.merged(outcome, results.length);
    return outcome;
  };
  return new IngestBuffer(sql, { ...config, log, merge });
}
