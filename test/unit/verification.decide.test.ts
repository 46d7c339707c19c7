import t from "tap";
import type { Player } from "../../shared/gen/tracker/v1/agent";
import { disagreement, type FetchedBatch } from "../../server/verification/compare-results";
import { decide } from "../../server/verification/decide";

const FETCH_MS = Date.UTC(2026, 10, 2, 0, 30);
const UPDATED_S = FETCH_MS / 1000 - 3600;

function player(accountId: number, battles: number, over: Partial<Player> = {}): Player {
  return {
    accountId, nickname: `p${accountId}`, createdAt: 1_500_000_000, lastBattleTime: UPDATED_S,
    updatedAt: UPDATED_S, hasStatistics: true, battles, wins: Math.floor(battles / 2), spotted: 1,
    damageDealt: 100, frags: 1, droppedCapturePoints: 0, ...over,
  };
}

function fetched(agentId: string, players: Player[], atMs = FETCH_MS): FetchedBatch {
  return { agentId, leaseId: agentId.length, fetchedAtMs: atMs, players };
}

t.test("two fetches of the same snapshot agree", async (t) => {
  t.equal(disagreement(fetched("a", [player(1, 10)]), fetched("b", [player(1, 10)])), null);
});

t.test("different counters under the same updated_at disagree", async (t) => {
  t.match(disagreement(fetched("a", [player(1, 10)]), fetched("b", [player(1, 13)])), /same updated_at/);
});

t.test("battles played after the earlier fetch, shown by the later one, agree", async (t) => {
  const later = player(1, 12, { updatedAt: UPDATED_S + 7200, lastBattleTime: UPDATED_S + 7200 });
  t.equal(disagreement(fetched("a", [player(1, 10)]), fetched("b", [later], FETCH_MS + 3_600_000)), null);
});

t.test("a counter that went down, or an account that vanished, disagrees", async (t) => {
  const lower = player(1, 8, { updatedAt: UPDATED_S + 7200 });
  t.match(disagreement(fetched("a", [player(1, 10)]), fetched("b", [lower], FETCH_MS + 3_600_000)), /went down/);
  t.match(disagreement(fetched("a", [player(1, 10)]), fetched("b", [], FETCH_MS + 1000)), /missing/);
});

t.test("a third fetch sides with one of two disagreeing fetches, and the other agent is wrong", async (t) => {
  const honest = [player(1, 10)];
  const decision = decide([fetched("liar", [player(1, 99)]), fetched("a", honest)], fetched("b", honest));
  t.same(decision, { kind: "decided", agents: ["liar", "a", "b"], wrongAgents: ["liar"] });
  t.equal(decide([fetched("a", honest)], fetched("b", honest)).kind, "agreed");
  t.equal(decide([fetched("a", honest)], fetched("liar", [player(1, 99)])).kind, "hold");
});

t.test("a third fetch that sides with neither blames nobody", async (t) => {
  const decision = decide([fetched("a", [player(1, 1)]), fetched("b", [player(1, 2)])], fetched("c", [player(1, 3)]));
  t.same(decision, { kind: "undecided", agents: ["a", "b", "c"], wrongAgents: [] });
});
