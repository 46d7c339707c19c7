import { disagreement, type FetchedBatch } from "./compare-results";

/** What the fetch that arrived does to a batch under verification. */
export type Decision =
  | { kind: "agreed"; agents: string[] }
  | { kind: "decided" | "undecided"; agents: string[]; wrongAgents: string[] }
  | { kind: "hold"; reason: string };

/**
 * Decides a batch from the fetches held for it and the one that just arrived. One held fetch:
 * agreement settles it, disagreement waits for a third. Two held fetches that disagree: the
 * third sides with one of them, and the other is wrong; if it sides with neither, no agent can
 * be blamed. In every settled case the fetch that just arrived is the one merged.
 */
export function decide(held: FetchedBatch[], current: FetchedBatch): Decision {
  const agents = [...held.map((h) => h.agentId), current.agentId];

  if (held.length === 1) {
    const reason = disagreement(held[0], current);
    return reason === null ? { kind: "agreed", agents } : { kind: "hold", reason };
  }

  const siding = held.map((h) => disagreement(h, current) === null);
  if (!siding.some(Boolean)) return { kind: "undecided", agents, wrongAgents: [] };
  const wrongAgents = held.filter((_, i) => !siding[i]).map((h) => h.agentId);
  return { kind: "decided", agents, wrongAgents };
}
