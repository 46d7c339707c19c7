import type { Logger } from "../../shared/log";
import type { Sql } from "../db/pool";
import { IngestBuffer } from "./ingest-buffer";

/** The ingest stage of a coordinator: the buffer that merges accepted results. */
export type Ingest = IngestBuffer;

export interface IngestConfig {
  flushRows: number;
  flushMs: number;
  highWaterRows: number;
}

export function createIngest(sql: Sql, config: IngestConfig, log: Logger): Ingest {
  return new IngestBuffer(sql, { ...config, log });
}
