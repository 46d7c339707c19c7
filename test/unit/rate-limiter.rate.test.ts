import t from "tap";
import { RateLimiter } from "../../agent/rate-limiter";

/** Takes tokens as fast as the limiter allows until the signal aborts; returns how many. */
async function takeUntil(limiter: RateLimiter, signal: AbortSignal): Promise<number> {
  let taken = 0;
  try {
    for (;;) {
      await limiter.take(signal);
      taken += 1;
    }
  } catch {
    return taken;
  }
}

t.test("a limiter at 20 per second grants about 30 tokens in 1.5 seconds", async (t) => {
  const limiter = new RateLimiter({ requestsPerSecond: 20 });
  const taken = await takeUntil(limiter, AbortSignal.timeout(1500));
  t.ok(taken >= 27 && taken <= 32, `took ${taken}`);
});

t.test("tokens are evenly spaced, never in bursts, with burst 1", async (t) => {
  let nowMs = 0;
  const limiter = new RateLimiter({ requestsPerSecond: 10, now: () => nowMs });
  await limiter.take();
  nowMs = 5_000;
  await limiter.take();
  let second = false;
  void limiter.take().then(() => (second = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(second, false, "an idle period does not bank more than one token");
  nowMs += 100;
  await new Promise((resolve) => setTimeout(resolve, 150));
  t.equal(second, true);
});

t.test("a rate change applies to callers already waiting", async (t) => {
  const limiter = new RateLimiter({ requestsPerSecond: 2 });
  const slow = await takeUntil(limiter, AbortSignal.timeout(1000));
  limiter.setRate(40);
  const fast = await takeUntil(limiter, AbortSignal.timeout(1000));
  t.ok(slow >= 2 && slow <= 4, `slow took ${slow}`);
  t.ok(fast >= 35 && fast <= 43, `fast took ${fast}`);
});

t.test("a rate of zero holds callers until the rate is raised", async (t) => {
  const limiter = new RateLimiter({ requestsPerSecond: 0 });
  await limiter.take();
  let done = false;
  const waiting = limiter.take().then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(done, false);
  limiter.setRate(100);
  await waiting;
  t.equal(done, true);
});

t.test("an aborted take rejects and leaves the queue", async (t) => {
  const limiter = new RateLimiter({ requestsPerSecond: 1 });
  await limiter.take();
  const controller = new AbortController();
  const waiting = limiter.take(controller.signal);
  t.equal(limiter.waiting, 1);
  controller.abort(new Error("revoked"));
  await t.rejects(waiting, { message: "revoked" });
  t.equal(limiter.waiting, 0);
});
