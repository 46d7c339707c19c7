import t from "tap";
import { KeyHolderCensus, type CensusTarget } from "../../server/agent-service/key-holder-census";
import { silentLogger } from "../../shared/log";
import { testDatabase } from "../support/pg";

/** A coordinator's side of the census: its own holders, and what it last heard of the others. */
function coordinator(own: Record<string, number>) {
  const side = {
    own: new Map(Object.entries(own)),
    heard: new Map<string, number>(),
  };
  const target: CensusTarget = {
    localCounts: () => side.own,
    setRemoteCounts: (counts) => (side.heard = counts),
  };
  return { side, target };
}

t.test("each coordinator hears the others' holders per budget, not its own", async (t) => {
  const { sql } = await testDatabase(t);
  const a = coordinator({ "1": 2, "2@203.0.113.9": 1 });
  const b = coordinator({ "1": 3 });
  const c = coordinator({ "1": 1 });
  const censusA = new KeyHolderCensus(sql, a.target, silentLogger());
  const censusB = new KeyHolderCensus(sql, b.target, silentLogger());
  const censusC = new KeyHolderCensus(sql, c.target, silentLogger());

  await censusA.step();
  await censusB.step();
  await censusC.step();
  await censusA.step();

  t.same(Object.fromEntries(a.side.heard), { "1": 4 });
  t.same(Object.fromEntries(c.side.heard), { "1": 5, "2@203.0.113.9": 1 });

  // A budget a coordinator no longer holds disappears with its next step.
  a.side.own = new Map([["1", 2]]);
  await censusA.step();
  await censusC.step();
  t.same(Object.fromEntries(c.side.heard), { "1": 5 });

  // A coordinator that stopped cleanly is counted out at once; one that died, once stale.
  await censusB.stop();
  await sql`UPDATE key_holders SET seen_at = now() - interval '1 minute'
             WHERE coordinator = ${censusA.coordinator}`;
  await censusC.step();
  t.same(Object.fromEntries(c.side.heard), {});
});
