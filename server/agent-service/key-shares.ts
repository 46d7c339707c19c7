import type { Sql } from "postgres";
import { RateBudget } from "./rate-budget";

/** How often quiet budgets are raised (additive increase). */
const AIMD_TICK_MS = 1_000;
/**
 * A holder that joins a key gets its share this long after the others were cut: the API counts
 * over a sliding 1 s window, which still holds the requests the others made at their old,
 * larger shares. Without the wait, four agents joining a 20/s key drew a refusal in the round's
 * second second (test/rate/key-shares.four-agents.test.ts).
 */
const JOIN_DELAY_MS = 1_000;

/** An API key as the server hands it out. */
export interface ApiKeyRow {
  id: number;
  applicationId: string;
  requestsPerSecond: number;
  kind: "application" | "ip";
}

/** What one session holds of a key. */
export interface KeyShare {
  key: ApiKeyRow;
  requestsPerSecond: number;
}

/** The part of a session that key sharing needs. */
export interface KeyHolder {
  readonly sessionId: number;
  readonly address: string;
  apiKeyId: number | null;
  /** Called with the session's new share (or null: no key available). */
  setShare(share: KeyShare | null): void;
}

// LIMITATION: rate shares are kept per coordinator: two coordinators sharing one key each
// split the whole budget among their own agents.
/**
 * Splits each API key's budget among the sessions that hold it: evenly for an application key,
 * and per public address for an ip key. Each new session takes the key with the most budget
 * left per holder. Every change of membership pushes new shares to the holders it touches.
 * Each budget adapts by AIMD (rate-budget.ts) to the REQUEST_LIMIT_EXCEEDED answers reported.
 */
export class KeyShares {
  private keys: ApiKeyRow[] = [];
  private readonly holders = new Set<KeyHolder>();
  /** AIMD state per budget: "<keyId>" for application keys, "<keyId>@<address>" for ip keys. */
  private readonly budgets = new Map<string, RateBudget>();
  private timer: NodeJS.Timeout | null = null;
  /** Holders that joined less than JOIN_DELAY_MS ago: counted as peers, not yet given a share. */
  private readonly joining = new Set<KeyHolder>();

  constructor(private readonly sql: Sql) {}

  /** Re-reads enabled keys (after an admin change) and re-balances every holder. */
  async reload(): Promise<void> {
    const rows = await this.sql`
      SELECT id, application_id, requests_per_second, kind
        FROM api_keys WHERE enabled ORDER BY id`;
    this.keys = rows.map((r) => ({
      id: Number(r.id),
      applicationId: r.application_id,
      requestsPerSecond: Number(r.requests_per_second),
      kind: r.kind,
    }));
    const known = new Set(this.keys.map((k) => k.id));
    for (const h of this.holders) if (h.apiKeyId !== null && !known.has(h.apiKeyId)) h.apiKeyId = null;
    for (const h of this.holders) if (h.apiKeyId === null) h.apiKeyId = this.pickKey(h);
    this.pushAll();
  }

  get enabledKeys(): number {
    return this.keys.length;
  }

  /** Holders per key id, for the admin listing. */
  holdersOf(keyId: number): number {
    let n = 0;
    for (const h of this.holders) if (h.apiKeyId === keyId) n += 1;
    return n;
  }

  /** A holder's batch met REQUEST_LIMIT_EXCEEDED: cut its budget and push the new shares. */
  rateLimited(holder: KeyHolder, count = 1, nowMs = Date.now()): void {
    const key = this.keys.find((k) => k.id === holder.apiKeyId);
    if (!key || !this.holders.has(holder)) return;
    if (this.budgetOf(key, holder.address).limited(nowMs, count)) this.pushKey(key.id);
  }

  /** Additive increase for every budget that has been quiet. */
  tick(nowMs = Date.now()): void {
    for (const key of this.keys) {
      let changed = false;
      for (const [name, budget] of this.budgets) {
        if (budgetKeyId(name) === key.id && budget.tick(nowMs)) changed = true;
      }
      if (changed) this.pushKey(key.id);
    }
  }

  /** Stops the AIMD timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  attach(holder: KeyHolder): void {
    this.timer ??= setInterval(() => this.tick(), AIMD_TICK_MS).unref();
    this.holders.add(holder);
    holder.apiKeyId = this.pickKey(holder);
    if (holder.apiKeyId === null) return holder.setShare(null);

    this.joining.add(holder);
    this.pushKey(holder.apiKeyId);
    setTimeout(() => {
      this.joining.delete(holder);
      if (this.holders.has(holder)) this.pushKey(holder.apiKeyId);
    }, JOIN_DELAY_MS).unref();
  }

  detach(holder: KeyHolder): void {
    this.joining.delete(holder);
    if (!this.holders.delete(holder)) return;
    const keyId = holder.apiKeyId;
    holder.apiKeyId = null;
    this.pushKey(keyId);
  }

  private pickKey(holder: KeyHolder): number | null {
    let best: ApiKeyRow | null = null;
    let bestShare = -1;
    for (const key of this.keys) {
      const share = key.requestsPerSecond / (this.peers(key, holder.address) + 1);
      if (share > bestShare) [best, bestShare] = [key, share];
    }
    return best ? best.id : null;
  }

  /** Holders that share one budget with a holder at this address. */
  private peers(key: ApiKeyRow, address: string): number {
    let n = 0;
    for (const h of this.holders) {
      if (h.apiKeyId === key.id && (key.kind === "application" || h.address === address)) n += 1;
    }
    return n;
  }

  private pushKey(keyId: number | null): void {
    const key = this.keys.find((k) => k.id === keyId);
    if (!key) return;
    for (const h of this.holders) {
      if (h.apiKeyId !== key.id || this.joining.has(h)) continue;
      h.setShare({ key, requestsPerSecond: this.shareOf(key, h) });
    }
  }

  private pushAll(): void {
    for (const h of this.holders) {
      const key = this.keys.find((k) => k.id === h.apiKeyId);
      h.setShare(key ? { key, requestsPerSecond: this.shareOf(key, h) } : null);
    }
  }

  private shareOf(key: ApiKeyRow, holder: KeyHolder): number {
    const rate = this.budgetOf(key, holder.address).rate;
    return rate / Math.max(1, this.peers(key, holder.address));
  }

  private budgetOf(key: ApiKeyRow, address: string): RateBudget {
    const name = key.kind === "ip" ? `${key.id}@${address}` : String(key.id);
    let budget = this.budgets.get(name);
    if (!budget) {
      budget = new RateBudget(key.requestsPerSecond);
      this.budgets.set(name, budget);
    }
    budget.reconfigure(key.requestsPerSecond);
    return budget;
  }
}

function budgetKeyId(name: string): number {
  return Number(name.split("@")[0]);
}
