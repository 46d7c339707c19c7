import t from "tap";
import { hashUnit, SeededStream } from "./random";

function bucketCounts(draw: () => number, draws: number, buckets: number): number[] {
  const counts = new Array<number>(buckets).fill(0);
  for (let i = 0; i < draws; i++) {
    counts[Math.floor(draw() * buckets)]++;
  }
  return counts;
}

t.test("the seeded stream covers [0, 1) evenly", async (t) => {
  const stream = new SeededStream(1);
  const counts = bucketCounts(() => stream.next(), 100_000, 10);
  t.ok(counts.every((count) => count > 9_500 && count < 10_500), counts.join(" "));
});

t.test("the stream replays from its seed and differs between seeds", async (t) => {
  const take = (seed: number): number[] => {
    const stream = new SeededStream(seed);
    return Array.from({ length: 5 }, () => stream.next());
  };
  t.same(take(9), take(9));
  t.not(take(9)[0], take(10)[0]);
});

t.test("the id hash covers [0, 1) evenly over consecutive ids", async (t) => {
  let id = 5000;
  const counts = bucketCounts(() => hashUnit(1, id++, 3), 100_000, 10);
  t.ok(counts.every((count) => count > 9_500 && count < 10_500), counts.join(" "));
});
