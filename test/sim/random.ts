/**
 * Seeded randomness for the simulator. Two flavours: a stateless hash of integers (so any
 * account's values can be recomputed from its id alone, in any order) and a sequential stream
 * (for per-request fault draws, where the order of requests is the input).
 */

const UINT32_RANGE = 4_294_967_296;

/** Scrambles 32 bits so that neighbouring inputs give unrelated outputs. */
export function scramble32(input: number): number {
  let x = input >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** Hash of a seed and up to four integers (each taken modulo 2^32), as an unsigned 32-bit int. */
export function hashInts(seed: number, a: number, b = 0, c = 0, d = 0): number {
  let h = scramble32(seed ^ 0x5bd1e995);
  h = scramble32(h + (a >>> 0));
  h = scramble32(h ^ (b >>> 0));
  h = scramble32(h + (c >>> 0));
  return scramble32(h ^ (d >>> 0));
}

/** Same inputs as hashInts, mapped to a float in [0, 1). */
export function hashUnit(seed: number, a: number, b = 0, c = 0, d = 0): number {
  return hashInts(seed, a, b, c, d) / UINT32_RANGE;
}

/** A float in [low, high) decided by the hash of the given inputs. */
export function hashBetween(low: number, high: number, seed: number, a: number, b = 0): number {
  return low + (high - low) * hashUnit(seed, a, b);
}

/** Sequential PRNG (a Weyl sequence fed through scramble32); replayable from its seed. */
export class SeededStream {
  private state: number;

  constructor(seed: number) {
    this.state = scramble32(seed ^ 0x9e3779b9);
  }

  /** Next float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    const high = scramble32(this.state);
    const low = scramble32(this.state ^ 0xa5a5a5a5);
    // 32 high bits and 21 low bits make the 53 bits a double can hold.
    return (high * 2_097_152 + (low >>> 11)) / 9_007_199_254_740_992;
  }

  /** Next integer in [0, count). */
  nextInt(count: number): number {
    return Math.floor(this.next() * count);
  }
}
