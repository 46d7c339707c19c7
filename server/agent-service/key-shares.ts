import type { Sql } from "postgres";

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

/**
 * Splits each API key's budget among the sessions that hold it: evenly for an application key,
 * and per public address for an ip key. Each new session takes the key with the most budget
 * left per holder. Every change of membership pushes new shares to the holders it touches.
 */
export class KeyShares {
  private keys: ApiKeyRow[] = [];
  private readonly holders = new Set<KeyHolder>();

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

  attach(holder: KeyHolder): void {
    this.holders.add(holder);
    holder.apiKeyId = this.pickKey(holder);
    this.pushKey(holder.apiKeyId);
    if (holder.apiKeyId === null) holder.setShare(null);
  }

  detach(holder: KeyHolder): void {
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
      if (h.apiKeyId === key.id) h.setShare({ key, requestsPerSecond: this.shareOf(key, h) });
    }
  }

  private pushAll(): void {
    for (const h of this.holders) {
      const key = this.keys.find((k) => k.id === h.apiKeyId);
      h.setShare(key ? { key, requestsPerSecond: this.shareOf(key, h) } : null);
    }
  }

  private shareOf(key: ApiKeyRow, holder: KeyHolder): number {
    return key.requestsPerSecond / Math.max(1, this.peers(key, holder.address));
  }
}
