import type { Platform } from "./platform";

/**
 * The accounts of one platform in columnar typed arrays: about 44 bytes per id, so two
 * platforms of a million ids each stay near 100 MB. An offset with createdAt 0 has no account.
 */
export class PlatformPopulation {
  readonly platform: Platform;
  readonly firstId: number;
  readonly nicknameSuffix: string;
  /** Offsets in use: the initial range plus every account created since. */
  length = 0;
  /** Highest id that has an account (firstId - 1 when there is none). */
  highestId: number;
  /** Accounts that exist now. */
  accountCount = 0;
  createdAt: Uint32Array;
  lastBattleTime: Uint32Array;
  updatedAt: Uint32Array;
  battles: Uint32Array;
  wins: Uint32Array;
  losses: Uint32Array;
  spotted: Uint32Array;
  frags: Uint32Array;
  droppedCapturePoints: Uint32Array;
  /** Float64 because damage is the one counter that could pass 2^32 for a veteran. */
  damageDealt: Float64Array;

  constructor(platform: Platform, firstId: number, nicknameSuffix: string, capacity: number) {
    this.platform = platform;
    this.firstId = firstId;
    this.nicknameSuffix = nicknameSuffix;
    this.highestId = firstId - 1;
    this.createdAt = new Uint32Array(capacity);
    this.lastBattleTime = new Uint32Array(capacity);
    this.updatedAt = new Uint32Array(capacity);
    this.battles = new Uint32Array(capacity);
    this.wins = new Uint32Array(capacity);
    this.losses = new Uint32Array(capacity);
    this.spotted = new Uint32Array(capacity);
    this.frags = new Uint32Array(capacity);
    this.droppedCapturePoints = new Uint32Array(capacity);
    this.damageDealt = new Float64Array(capacity);
  }

  get capacity(): number {
    return this.createdAt.length;
  }

  /** Offset of an id with an account, or -1. */
  offsetOf(id: number): number {
    const offset = id - this.firstId;
    if (offset < 0 || offset >= this.length || this.createdAt[offset] === 0) {
      return -1;
    }
    return offset;
  }

  /** Makes room for offsets below `needed`, growing by half again to keep copies rare. */
  ensureCapacity(needed: number): void {
    if (needed <= this.capacity) {
      return;
    }

    const capacity = Math.max(needed, Math.ceil(this.capacity * 1.5));
    this.createdAt = grow(this.createdAt, new Uint32Array(capacity));
    this.lastBattleTime = grow(this.lastBattleTime, new Uint32Array(capacity));
    this.updatedAt = grow(this.updatedAt, new Uint32Array(capacity));
    this.battles = grow(this.battles, new Uint32Array(capacity));
    this.wins = grow(this.wins, new Uint32Array(capacity));
    this.losses = grow(this.losses, new Uint32Array(capacity));
    this.spotted = grow(this.spotted, new Uint32Array(capacity));
    this.frags = grow(this.frags, new Uint32Array(capacity));
    this.droppedCapturePoints = grow(this.droppedCapturePoints, new Uint32Array(capacity));
    this.damageDealt = grow(this.damageDealt, new Float64Array(capacity));
  }

  /** Registers a new account with zero counters at the given offset. */
  open(offset: number, createdAt: number): void {
    this.ensureCapacity(offset + 1);
    this.createdAt[offset] = createdAt;
    this.updatedAt[offset] = createdAt;
    this.length = Math.max(this.length, offset + 1);
    this.highestId = Math.max(this.highestId, this.firstId + offset);
    this.accountCount += 1;
  }

  /** Accounts with firstId <= id <= lastId created before `beforeUnix`. */
  countCreatedBefore(fromId: number, toId: number, beforeUnix: number): number {
    const start = Math.max(0, fromId - this.firstId);
    const end = Math.min(this.length, toId - this.firstId + 1);
    let count = 0;
    for (let offset = start; offset < end; offset++) {
      const created = this.createdAt[offset];
      if (created !== 0 && created < beforeUnix) {
        count++;
      }
    }
    return count;
  }
}

function grow<T extends Uint32Array | Float64Array>(old: T, next: T): T {
  next.set(old);
  return next;
}
