import postgres from "postgres";
import type { Logger } from "../../shared/log";

/** The database handle every server module takes. */
export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

/** Connections of the pool. @default 10 */
const DEFAULT_MAX_CONNECTIONS = 10;

const INT8_OID = 20;
const DATE_OID = 1082;

export interface OpenDatabaseOptions {
  /** Most connections at a time. @default 10 */
  max?: number;
  log: Logger;
}

/**
 * Opens a pool. Every connection runs in UTC; bigint columns read as JS numbers (counters and
 * ids stay far below 2^53); date columns read as 'YYYY-MM-DD' strings, the stat day's own form.
 */
export function openDatabase(url: string, options: OpenDatabaseOptions): Sql {
  const { log } = options;
  const sql = postgres(url, {
    max: options.max ?? DEFAULT_MAX_CONNECTIONS,
    connection: { TimeZone: "UTC", application_name: "battle-tracker" },
    onnotice: (notice) => log.debug({ code: notice.code, text: notice.message }, "postgres notice"),
    types: {
      // Parsers only: values sent are still written for the type the server asks for.
      int8: { from: [INT8_OID], parse: parseInt8 },
      date: { from: [DATE_OID], parse: (text: string) => text },
    },
  });
  return sql as unknown as Sql;
}

/** A bigint past 2^53 would lose digits as a number, so it stays a decimal string. */
function parseInt8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}
