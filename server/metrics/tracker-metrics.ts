import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Sql } from "postgres";
import type { BatchFailed } from "../../shared/gen/tracker/v1/agent";
import type { MergeOutcome } from "../ingest/types";
import type { HubMetrics, IngestMetrics } from "./hooks";

/** What the gauges read at scrape time. */
export interface MetricsSources {
  sql: Sql;
  ingest: { readonly backlogRows: number; readonly isBehind: boolean };
  hub: { readonly sessions: { readonly size: number } };
  databaseReachable(): boolean;
}

/** Distinct API error codes kept as labels; agents send the codes, so their number is capped. */
const MAX_ERROR_CODES = 50;
const ERROR_CODE = /^[A-Z0-9_]{1,48}$/;
const BATCH_STATES = ["pending", "leased", "done", "failed"] as const;

/**
 * The coordinator's Prometheus metrics, in a registry of its own (two servers in one test
 * process do not collide). Counters are fed by the hub and ingest hooks; gauges read their
 * sources when scraped.
 */
export class TrackerMetrics implements HubMetrics, IngestMetrics {
  readonly registry = new Registry();
  private readonly errorCodes = new Set<string>();
  private readonly creditCounter: Counter;
  private readonly requestsCounter: Counter<"api_key_id">;
  private readonly apiErrorsCounter: Counter<"code">;
  private readonly resultsCounter: Counter;
  private readonly playersCounter: Counter;
  private readonly mergeHistogram: Histogram;

  private sources: MetricsSources | null = null;

  constructor() {
    const registers = [this.registry];
    const source = () => this.sources;
    collectDefaultMetrics({ register: this.registry, prefix: "tracker_" });

    new Gauge({
      name: "tracker_batches",
      help: "Batches of the current round (running, paused or newest) by state",
      labelNames: ["state"],
      registers,
      async collect() {
        const counts = await currentRoundBatches(source());
        for (const state of BATCH_STATES) this.set({ state }, counts.get(state) ?? 0);
      },
    });
    new Gauge({
      name: "tracker_ingest_backlog_rows",
      help: "Player rows received and not yet committed",
      registers,
      collect() {
        this.set(source()?.ingest.backlogRows ?? 0);
      },
    });
    new Gauge({
      name: "tracker_ingest_behind",
      help: "1 while no credit is granted because ingest is behind",
      registers,
      collect() {
        this.set(source()?.ingest.isBehind ? 1 : 0);
      },
    });
    new Gauge({
      name: "tracker_agents_connected",
      help: "Agents with an open session on this coordinator",
      registers,
      collect() {
        this.set(source()?.hub.sessions.size ?? 0);
      },
    });
    new Gauge({
      name: "tracker_database_up",
      help: "1 while PostgreSQL answers the health probe",
      registers,
      collect() {
        this.set(source()?.databaseReachable() ? 1 : 0);
      },
    });

    this.creditCounter = new Counter({
      name: "tracker_credit_granted_total",
      help: "Assignments sent to agents against their credit",
      registers,
    });
    this.requestsCounter = new Counter({
      name: "tracker_api_requests_total",
      help: "Wargaming API requests agents made for batches they delivered, by API key id",
      labelNames: ["api_key_id"],
      registers,
    });
    this.apiErrorsCounter = new Counter({
      name: "tracker_api_errors_total",
      help: "Failed batches by the API error code reported (HTTP_<status> or TRANSPORT when none)",
      labelNames: ["code"],
      registers,
    });
    this.resultsCounter = new Counter({
      name: "tracker_results_merged_total",
      help: "Batch results committed by ingest",
      registers,
    });
    this.playersCounter = new Counter({
      name: "tracker_players_merged_total",
      help: "Player rows inserted or changed by ingest",
      registers,
    });
    this.mergeHistogram = new Histogram({
      name: "tracker_merge_duration_seconds",
      help: "Duration of one ingest flush (COPY and merge in one transaction)",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  /** Where the gauges read from; until called they read 0. */
  observe(sources: MetricsSources): void {
    this.sources = sources;
  }

  creditGranted(assignments: number): void {
    this.creditCounter.inc(assignments);
  }

  apiRequests(apiKeyId: number | null, requests: number): void {
    if (requests > 0)
      this.requestsCounter.inc({ api_key_id: String(apiKeyId ?? "none") }, requests);
  }

  batchFailed(failed: BatchFailed): void {
    if (failed.returned) return;
    this.apiErrorsCounter.inc({ code: this.errorLabel(failed) });
  }

  merged(outcome: MergeOutcome, results: number): void {
    this.resultsCounter.inc(results - outcome.rejectedLeases.length);
    this.playersCounter.inc(outcome.players);
    this.mergeHistogram.observe(outcome.ms / 1000);
  }

  /** The text a scrape returns. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  private errorLabel(failed: BatchFailed): string {
    let code = failed.apiError || (failed.httpStatus ? `HTTP_${failed.httpStatus}` : "TRANSPORT");
    if (!ERROR_CODE.test(code)) code = "OTHER";
    if (!this.errorCodes.has(code)) {
      if (this.errorCodes.size >= MAX_ERROR_CODES) return "OTHER";
      this.errorCodes.add(code);
    }
    return code;
  }
}

/** Batch counts of the current round; empty when the database is away (the gauge reads 0). */
async function currentRoundBatches(sources: MetricsSources | null): Promise<Map<string, number>> {
  if (!sources?.databaseReachable()) return new Map();
  try {
    const rows = await sources.sql`
      SELECT state, count(*)::int AS n FROM batches
       WHERE round_id = (SELECT id FROM rounds
                          ORDER BY (state IN ('running', 'paused')) DESC, id DESC LIMIT 1)
       GROUP BY state`;
    return new Map(rows.map((r) => [r.state as string, Number(r.n)]));
  } catch {
    return new Map();
  }
}
