/** The request rate shown is the average over this window. */
export const RATE_WINDOW_MS = 60_000;

/** What a volunteer sees of a running agent: in the status file, the status line, `status`. */
export interface ActivitySnapshot {
  connected: boolean;
  /** When the current session got its Config, unix ms; null while not connected. */
  connectedSinceMs: number | null;
  /** The local calendar day the batch count belongs to, YYYY-MM-DD. */
  day: string;
  /** Batches the server acknowledged (committed) since local midnight. */
  batchesToday: number;
  batchesTotal: number;
  /** API requests per second over the last RATE_WINDOW_MS. */
  requestsPerSecond: number;
}

interface RequestSample {
  atMs: number;
  requests: number;
}

/**
 * Counts what the agent did, for volunteers rather than the server: connection state, batches
 * acknowledged today, and the request rate from samples of the API client's running total.
 */
export class AgentActivity {
  private connectedSinceMs: number | null = null;
  private day: string;
  private batchesToday = 0;
  private batchesTotal = 0;
  private samples: RequestSample[] = [];

  constructor(nowMs: number) {
    this.day = localDay(nowMs);
  }

  connected(nowMs: number): void {
    this.connectedSinceMs ??= nowMs;
  }

  disconnected(): void {
    this.connectedSinceMs = null;
  }

  batchDone(nowMs: number): void {
    this.rollDay(nowMs);
    this.batchesToday += 1;
    this.batchesTotal += 1;
  }

  /** Records the API client's request total; the rate is taken between samples. */
  sampleRequests(requestsTotal: number, nowMs: number): void {
    this.samples.push({ atMs: nowMs, requests: requestsTotal });
    const oldest = nowMs - RATE_WINDOW_MS;
    while (this.samples.length > 2 && (this.samples[1] as RequestSample).atMs <= oldest) {
      this.samples.shift();
    }
  }

  snapshot(nowMs: number): ActivitySnapshot {
    this.rollDay(nowMs);
    return {
      connected: this.connectedSinceMs !== null,
      connectedSinceMs: this.connectedSinceMs,
      day: this.day,
      batchesToday: this.batchesToday,
      batchesTotal: this.batchesTotal,
      requestsPerSecond: this.rate(),
    };
  }

  private rate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.atMs <= first.atMs) return 0;
    return ((last.requests - first.requests) * 1000) / (last.atMs - first.atMs);
  }

  private rollDay(nowMs: number): void {
    const today = localDay(nowMs);
    if (today === this.day) return;
    this.day = today;
    this.batchesToday = 0;
  }
}

/** YYYY-MM-DD of the machine's local calendar: "today" for a volunteer. */
export function localDay(nowMs: number): string {
  const date = new Date(nowMs);
  const month = String(date.getMonth() + 1).padStart(2, "0");
  const day = String(date.getDate()).padStart(2, "0");
  return `${date.getFullYear()}-${month}-${day}`;
}

/** "connected to host:port, 12 batches today, 1.8 requests/s": shared by status and the line. */
export function describeActivity(snapshot: ActivitySnapshot, server: string): string {
  const connection = snapshot.connected
    ? `connected to ${server}`
    : `not connected (server ${server})`;
  const batches = `${snapshot.batchesToday} batch${snapshot.batchesToday === 1 ? "" : "es"} today`;
  return `${connection}, ${batches}, ${snapshot.requestsPerSecond.toFixed(1)} requests/s`;
}
