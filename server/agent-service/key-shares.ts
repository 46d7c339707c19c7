import type { Sql } from "postgres";
import { CoalescingTimer } from "./coalescing-timer";
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
/**
 * New shares are sent at most this often. Each join or leave changes the share of every holder
 * of the key, so a thousand agents connecting within seconds drew about a million Config
 * messages (half a minute of the coordinator's CPU and 800 MB of queued writes in the scale
 * bench); merged, it is one message per holder per period. A cut a rate limit asks for is
 * sent at once.
 */
const PUSH_PERIOD_MS = 250;

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
 * left per holder. A change of membership or budget marks the key, and the marked keys' holders
 * get their new shares together (PUSH_PERIOD_MS); a holder whose share did not change gets no
 * message. Each budget adapts by AIMD (rate-budget.ts) to the REQUEST_LIMIT_EXCEEDED answers.
 * Holders on other coordinators of the same database count too (key-holder-census.ts), so a
 * key's budget is split among all of its agents.
 */
export class KeyShares {
  private keys: ApiKeyRow[] = [];
  private readonly holders = new Set<KeyHolder>();
  /** AIMD state per budget: "<keyId>" for application keys, "<keyId>@<address>" for ip keys. */
  private readonly budgets = new Map<string, RateBudget>();
  /** Holders per budget name, joining ones included, so a share costs no pass over holders. */
  private readonly counts = new Map<string, number>();
  /** Holders per budget name on the other live coordinators, from the last census. */
  private remote = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  /** Holders that joined less than JOIN_DELAY_MS ago: counted as peers, not yet given a share. */
  private readonly joining = new Set<KeyHolder>();
  /** Joined since the last push: their wait starts once the others' cuts are sent. */
  private joinedSincePush: KeyHolder[] = [];
  private readonly marked = new Set<number>();
  /** What each holder was last sent, to skip a push that changes nothing. */
  private readonly sent = new WeakMap<KeyHolder, KeyShare>();
  private readonly pushes = new CoalescingTimer(PUSH_PERIOD_MS, () => this.pushMarked());

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
    for (const h of this.holders) {
      if (h.apiKeyId !== null && !known.has(h.apiKeyId)) h.apiKeyId = null;
    }
    this.recount();
    for (const h of this.holders) {
      if (h.apiKeyId !== null) continue;
      h.apiKeyId = this.pickKey(h);
      this.count(h, 1);
    }

    for (const h of this.holders) if (h.apiKeyId === null) this.sendShare(h, null);
    for (const key of this.keys) this.marked.add(key.id);
    this.pushes.runNow();
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

  /** Holders per budget name on this coordinator, for the census. */
  localCounts(): Map<string, number> {
    return new Map([...this.counts].filter(([, n]) => n > 0));
  }

  /** The other coordinators' holders per budget name; keys whose total changed get new shares. */
  setRemoteCounts(counts: Map<string, number>): void {
    const before = this.remote;
    this.remote = counts;
    for (const name of new Set([...before.keys(), ...counts.keys()])) {
      if ((before.get(name) ?? 0) !== (counts.get(name) ?? 0)) this.mark(budgetKeyId(name));
    }
  }

  /** A holder's batch met REQUEST_LIMIT_EXCEEDED: cut its budget and push the new shares. */
  rateLimited(holder: KeyHolder, count = 1, nowMs = Date.now()): void {
    const key = this.keys.find((k) => k.id === holder.apiKeyId);
    if (!key || !this.holders.has(holder)) return;
    if (!this.budgetOf(key, holder.address).limited(nowMs, count)) return;

    // The API refuses requests now: the cut cannot wait for the next push period.
    this.marked.add(key.id);
    this.pushes.runNow();
  }

  /** Additive increase for every budget that has been quiet. */
  tick(nowMs = Date.now()): void {
    for (const key of this.keys) {
      let changed = false;
      for (const [name, budget] of this.budgets) {
        if (budgetKeyId(name) === key.id && budget.tick(nowMs)) changed = true;
      }
      if (changed) this.mark(key.id);
    }
  }

  /** Stops the AIMD and push timers. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pushes.stop();
  }

  attach(holder: KeyHolder): void {
    this.timer ??= setInterval(() => this.tick(), AIMD_TICK_MS).unref();
    this.holders.add(holder);
    holder.apiKeyId = this.pickKey(holder);
    if (holder.apiKeyId === null) return this.sendShare(holder, null);

    this.count(holder, 1);
    this.joining.add(holder);
    this.joinedSincePush.push(holder);
    this.mark(holder.apiKeyId);
  }

  detach(holder: KeyHolder): void {
    this.joining.delete(holder);
    if (!this.holders.delete(holder)) return;
    this.count(holder, -1);
    const keyId = holder.apiKeyId;
    holder.apiKeyId = null;
    if (keyId !== null) this.mark(keyId);
  }

  private mark(keyId: number): void {
    this.marked.add(keyId);
    this.pushes.request();
  }

  /** Sends the holders of the marked keys their shares; starts the wait of those who joined. */
  private pushMarked(): void {
    const keyIds = new Set(this.marked);
    this.marked.clear();
    for (const h of this.holders) {
      if (h.apiKeyId === null || !keyIds.has(h.apiKeyId) || this.joining.has(h)) continue;
      this.pushShare(h);
    }

    const joined = this.joinedSincePush;
    this.joinedSincePush = [];
    if (joined.length === 0) return;
    setTimeout(() => {
      for (const h of joined) {
        // Its peers' shares counted it from the start: only the joiner itself gets a message.
        if (this.joining.delete(h) && this.holders.has(h)) this.pushShare(h);
      }
    }, JOIN_DELAY_MS).unref();
  }

  private pushShare(holder: KeyHolder): void {
    const key = this.keys.find((k) => k.id === holder.apiKeyId);
    if (!key) return;
    this.sendShare(holder, { key, requestsPerSecond: this.shareOf(key, holder) });
  }

  private sendShare(holder: KeyHolder, share: KeyShare | null): void {
    const last = this.sent.get(holder);
    const same = last?.key === share?.key && last?.requestsPerSecond === share?.requestsPerSecond;
    if (share && same) return;

    if (share) this.sent.set(holder, share);
    else this.sent.delete(holder);
    holder.setShare(share);
  }

  private pickKey(holder: KeyHolder): number | null {
    let best: ApiKeyRow | null = null;
    let bestShare = -1;
    for (const key of this.keys) {
      const peers = this.holdersEverywhere(budgetName(key, holder.address));
      const share = key.requestsPerSecond / (peers + 1);
      if (share > bestShare) [best, bestShare] = [key, share];
    }
    return best ? best.id : null;
  }

  private count(holder: KeyHolder, by: 1 | -1): void {
    const key = this.keys.find((k) => k.id === holder.apiKeyId);
    if (!key) return;
    const name = budgetName(key, holder.address);
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  private recount(): void {
    this.counts.clear();
    for (const h of this.holders) this.count(h, 1);
  }

  private shareOf(key: ApiKeyRow, holder: KeyHolder): number {
    const rate = this.budgetOf(key, holder.address).rate;
    return rate / Math.max(1, this.holdersEverywhere(budgetName(key, holder.address)));
  }

  private holdersEverywhere(name: string): number {
    return (this.counts.get(name) ?? 0) + (this.remote.get(name) ?? 0);
  }

  private budgetOf(key: ApiKeyRow, address: string): RateBudget {
    const name = budgetName(key, address);
    let budget = this.budgets.get(name);
    if (!budget) {
      budget = new RateBudget(key.requestsPerSecond);
      this.budgets.set(name, budget);
    }
    budget.reconfigure(key.requestsPerSecond);
    return budget;
  }
}

function budgetName(key: ApiKeyRow, address: string): string {
  return key.kind === "ip" ? `${key.id}@${address}` : String(key.id);
}

function budgetKeyId(name: string): number {
  return Number(name.split("@")[0]);
}
