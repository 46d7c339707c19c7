import t from "tap";
import { Backoff, sleep } from "../../shared/backoff";

t.test("delays double from the initial value up to the maximum", async (t) => {
  const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
  t.same([1, 2, 3, 4, 5].map(() => backoff.next()), [100, 200, 400, 800, 1000]);
  backoff.reset();
  t.equal(backoff.next(), 100);
});

t.test("jitter keeps each delay within its share of the base", async (t) => {
  const low = new Backoff({ initialMs: 1000, jitter: 0.2, random: () => 0 });
  const high = new Backoff({ initialMs: 1000, jitter: 0.2, random: () => 1 });
  t.equal(low.next(), 800);
  t.equal(high.next(), 1200);
});

t.test("an abortable sleep rejects with the signal's reason", async (t) => {
  const controller = new AbortController();
  const sleeping = sleep(10_000, controller.signal);
  controller.abort(new Error("stop"));
  await t.rejects(sleeping, { message: "stop" });
});
