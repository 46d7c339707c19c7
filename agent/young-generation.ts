import v8 from "node:v8";

/**
 * Keeps V8's young generation at the size it starts with (two semi-spaces of 1 MB on 64-bit)
 * for the rest of the process. By default V8 doubles them up to 16 MB each as objects survive
 * scavenges, and a running agent (an answer body, its parsed players and a result message per
 * request, a few held at a time) reached 30 MB of young generation within a minute: a quarter
 * of its resident memory, for no gain at a few requests a second, where a scavenge of a 1 MB
 * semi-space takes well under a millisecond.
 *
 * The heap is already set up when the agent's code runs, so `--max-semi-space-size` would come
 * too late; the growth factor is read at every resize, so setting it to 1 holds the size where
 * it is when this is called (hence first thing in `run`). The same call works under `node` and
 * in the single executable (checked on Node 20 and on the executables' Node 22), so the
 * executable needs no flags of its own.
 */
export function holdYoungGeneration(): void {
  v8.setFlagsFromString("--semi-space-growth-factor=1");
}
