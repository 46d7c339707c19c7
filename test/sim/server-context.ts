import type { ServerResponse } from "node:http";
import { KeyRegistry } from "./api-keys";
import { FaultPlan } from "./faults";
import { RateLimiter } from "./rate-limiter";
import type { Simulation } from "./simulation";
import { TrafficStats } from "./traffic-stats";

/** Everything a request handler needs; one per running simulator. */
export interface ServerContext {
  sim: Simulation;
  keys: KeyRegistry;
  limiter: RateLimiter;
  stats: TrafficStats;
  faults: FaultPlan;
  /** Whether request budgets are enforced (they are always measured). */
  rateLimit: boolean;
  clientIpHeader: string | undefined;
  /** Answers held back by the stall fault, released or dropped on close. */
  stalled: Set<{ timer: NodeJS.Timeout; res: ServerResponse }>;
}

export function createServerContext(sim: Simulation): ServerContext {
  const o = sim.options;
  return {
    sim,
    keys: new KeyRegistry(o.keys),
    limiter: new RateLimiter(),
    stats: new TrafficStats(),
    faults: new FaultPlan(o.seed, o.faults),
    rateLimit: o.rateLimit,
    clientIpHeader: o.clientIpHeader,
    stalled: new Set(),
  };
}
