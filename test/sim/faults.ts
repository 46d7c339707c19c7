import { SeededStream } from "./random";

/** Faults injected into account/info answers, each with its own per-request share. */
export const FAULT_KINDS = [
  "sourceNotAvailable",
  "edge5xx",
  "stall",
  "truncated",
  "emptyBody",
  "okWithoutData",
  "metaCountWrong",
  "unrequestedId",
  "requestLimit",
  "errorAsString",
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** Fault shares (probability per request, 0..1, summing to at most 1) and switches. */
export interface FaultSettings extends Partial<Record<FaultKind, number>> {
  /** Every account/info and account/list request answers 405 METHOD_DISABLED. @default false */
  methodDisabled?: boolean;
  /** How long a stalled answer is held back. @default 20_000 */
  stallMs?: number;
}

/** The fault chosen for one request; `detail` is a second draw for the fault's own choices. */
export interface FaultDraw {
  kind: FaultKind | "none";
  detail: number;
}

/**
 * Decides the fault of each account/info request with a seeded stream, so a run with the same
 * seed and the same request order gets the same faults. Changing the settings restarts the
 * stream, which lets a test replay a sequence from the moment it set the faults.
 */
export class FaultPlan {
  private readonly seed: number;
  private settings: FaultSettings = {};
  private stream: SeededStream;

  constructor(seed: number, settings: FaultSettings = {}) {
    this.seed = seed;
    this.stream = new SeededStream(seed);
    this.update(settings, true);
  }

  /** Merges new settings (or replaces them all) and restarts the fault stream. */
  update(settings: FaultSettings, replace = false): void {
    const next = replace ? { ...settings } : { ...this.settings, ...settings };
    checkSettings(next);
    this.settings = next;
    this.stream = new SeededStream(this.seed ^ 0x0fa17);
  }

  current(): Required<FaultSettings> {
    const shares = Object.fromEntries(FAULT_KINDS.map((k) => [k, this.settings[k] ?? 0]));
    return {
      ...(shares as Record<FaultKind, number>),
      methodDisabled: this.settings.methodDisabled ?? false,
      stallMs: this.settings.stallMs ?? 20_000,
    };
  }

  /** Draws the fault of the next request; always two draws, so replays stay aligned. */
  draw(): FaultDraw {
    const pick = this.stream.next();
    const detail = this.stream.next();
    let bound = 0;
    for (const kind of FAULT_KINDS) {
      bound += this.settings[kind] ?? 0;
      if (pick < bound) {
        return { kind, detail };
      }
    }
    return { kind: "none", detail };
  }
}

function checkSettings(settings: FaultSettings): void {
  let total = 0;
  for (const [name, value] of Object.entries(settings)) {
    if (name === "methodDisabled") {
      if (typeof value !== "boolean") throw new Error("faults.methodDisabled must be a boolean");
      continue;
    }
    if (name === "stallMs") {
      if (!(Number.isInteger(value) && value >= 0)) throw new Error("faults.stallMs must be >= 0");
      continue;
    }
    if (!(FAULT_KINDS as readonly string[]).includes(name)) {
      throw new Error(`unknown fault ${JSON.stringify(name)}; known: ${FAULT_KINDS.join(", ")}`);
    }
    if (!(typeof value === "number" && value >= 0 && value <= 1)) {
      throw new Error(`fault share ${name} must be in [0, 1], got ${String(value)}`);
    }
    total += value;
  }
  if (total > 1 + 1e-9) {
    throw new Error(`fault shares sum to ${total}; they must sum to at most 1`);
  }
}
