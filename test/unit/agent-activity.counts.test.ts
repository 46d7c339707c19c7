import t from "tap";
import { AgentActivity, describeActivity, localDay, RATE_WINDOW_MS } from "../../agent/agent-activity";

const noon = new Date(2026, 5, 1, 12, 0, 0).getTime();

t.test("batches are counted per local day and the count starts again after midnight", async (t) => {
  const activity = new AgentActivity(noon);
  activity.batchDone(noon);
  activity.batchDone(noon + 1000);
  t.match(activity.snapshot(noon + 2000), { day: "2026-06-01", batchesToday: 2, batchesTotal: 2 });

  const nextDay = new Date(2026, 5, 2, 0, 5, 0).getTime();
  t.match(activity.snapshot(nextDay), { day: "2026-06-02", batchesToday: 0, batchesTotal: 2 });
  activity.batchDone(nextDay);
  t.match(activity.snapshot(nextDay), { batchesToday: 1, batchesTotal: 3 });
});

t.test("the request rate is the average over the last minute of samples", async (t) => {
  const activity = new AgentActivity(noon);
  t.equal(activity.snapshot(noon).requestsPerSecond, 0, "no rate before two samples");

  activity.sampleRequests(0, noon);
  activity.sampleRequests(100, noon + 10_000);
  t.equal(activity.snapshot(noon + 10_000).requestsPerSecond, 10);

  // Long after, an idle agent: the old burst leaves the window.
  activity.sampleRequests(100, noon + 10_000 + RATE_WINDOW_MS + 5_000);
  activity.sampleRequests(100, noon + 10_000 + RATE_WINDOW_MS + 10_000);
  t.equal(activity.snapshot(noon + 100_000).requestsPerSecond, 0);
});

t.test("connected from the first Config until the session ends", async (t) => {
  const activity = new AgentActivity(noon);
  t.equal(activity.snapshot(noon).connected, false);
  activity.connected(noon + 5);
  activity.connected(noon + 9);
  t.match(activity.snapshot(noon + 10), { connected: true, connectedSinceMs: noon + 5 });
  activity.disconnected();
  t.match(activity.snapshot(noon + 11), { connected: false, connectedSinceMs: null });
});

t.test("the activity reads as one phrase", async (t) => {
  const activity = new AgentActivity(noon);
  activity.connected(noon);
  activity.batchDone(noon);
  const phrase = describeActivity(activity.snapshot(noon), "h:1");
  t.equal(phrase, "connected to h:1, 1 batch today, 0.0 requests/s");
  activity.disconnected();
  t.match(describeActivity(activity.snapshot(noon), "h:1"), /^not connected \(server h:1\)/);
  t.equal(localDay(new Date(2026, 0, 9, 23, 59).getTime()), "2026-01-09");
});
