import type { FaultKind } from "./faults";

/** Seconds of per-second history kept per key. */
const HISTORY_SECONDS = 60;

/** Requests let through and refused by the budget during one wall-clock second. */
export interface SecondCount {
  /** Unix second. */
  second: number;
  accepted: number;
  rejected: number;
}

/** What /sim/stats reports. */
export interface TrafficSnapshot {
  /** Requests under /wotx/, whatever their answer. */
  requests: number;
  byKey: Record<string, number>;
  byIp: Record<string, number>;
  byPath: Record<string, number>;
  /** Error envelopes from validation, keys and budgets, by message (injected faults excluded). */
  rejections: Record<string, number>;
  /** account/info answers by the fault applied to them ("none" for a normal answer). */
  faults: Record<string, number>;
  /** Per key: the last seconds of budget decisions and the most requests let through. */
  budgets: Record<string, { lastSeconds: SecondCount[]; maxInAnyWindow: number }>;
}

/** Counters the tests read back through /sim/stats; reset through /sim/reset-stats. */
export class TrafficStats {
  private requests = 0;
  private byKey: Record<string, number> = {};
  private byIp: Record<string, number> = {};
  private byPath: Record<string, number> = {};
  private rejections: Record<string, number> = {};
  private faults: Record<string, number> = {};
  private seconds = new Map<string, Map<number, SecondCount>>();

  recordRequest(path: string, clientIp: string, applicationId: string | undefined): void {
    this.requests++;
    bump(this.byPath, path);
    bump(this.byIp, clientIp);
    if (applicationId !== undefined) {
      bump(this.byKey, applicationId);
    }
  }

  recordRejection(message: string): void {
    bump(this.rejections, message);
  }

  recordFault(kind: FaultKind | "none"): void {
    bump(this.faults, kind);
  }

  recordBudget(applicationId: string, accepted: boolean, nowUnixMs: number): void {
    const second = Math.floor(nowUnixMs / 1000);
    let history = this.seconds.get(applicationId);
    if (history === undefined) {
      history = new Map();
      this.seconds.set(applicationId, history);
    }

    let count = history.get(second);
    if (count === undefined) {
      count = { second, accepted: 0, rejected: 0 };
      history.set(second, count);
      history.delete(second - HISTORY_SECONDS);
    }
    if (accepted) {
      count.accepted++;
    } else {
      count.rejected++;
    }
  }

  reset(): void {
    this.requests = 0;
    this.byKey = {};
    this.byIp = {};
    this.byPath = {};
    this.rejections = {};
    this.faults = {};
    this.seconds.clear();
  }

  snapshot(maxInAnyWindow: (applicationId: string) => number): TrafficSnapshot {
    const budgets: TrafficSnapshot["budgets"] = {};
    for (const [applicationId, history] of this.seconds) {
      const lastSeconds = [...history.values()].sort((a, b) => a.second - b.second);
      budgets[applicationId] = { lastSeconds, maxInAnyWindow: maxInAnyWindow(applicationId) };
    }
    return {
      requests: this.requests,
      byKey: { ...this.byKey },
      byIp: { ...this.byIp },
      byPath: { ...this.byPath },
      rejections: { ...this.rejections },
      faults: { ...this.faults },
      budgets,
    };
  }
}

function bump(counts: Record<string, number>, name: string): void {
  counts[name] = (counts[name] ?? 0) + 1;
}
