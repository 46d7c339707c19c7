import fs from "node:fs";
import inspector from "node:inspector";
import path from "node:path";

/**
 * Preload that samples every Node process of a bench run with the V8 CPU profiler, because node
 * refuses --cpu-prof in NODE_OPTIONS and the bench spawns its processes itself. Use:
 *   PROF_DIR=<dir> NODE_OPTIONS="--require ./dist/test/bench/cpu-profile.js" make bench ...
 * Each process writes <dir>/<pid>-<script>.cpuprofile when SIGTERM arrives (or at exit, if it
 * ends on its own), then samples its shutdown into <pid>-<script>.shutdown.cpuprofile, written
 * at exit. A process killed with SIGKILL during a long shutdown still leaves the first file.
 * Read one with `node dist/test/bench/profile-top.js <file>`.
 */
const dir = process.env.PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  const start = () => {
    session.post("Profiler.enable");
    session.post("Profiler.setSamplingInterval", { interval: 1000 });
    session.post("Profiler.start");
  };
  const script = path.basename(process.argv[1] ?? "node").replace(/\W/g, "_");
  let part: "run" | "shutdown" | "done" = "run";
  const write = () => {
    if (part === "done") return;
    const suffix = part === "run" ? "" : ".shutdown";
    part = part === "run" ? "shutdown" : "done";
    // The inspector answers a session of the same thread synchronously, so this works at exit.
    session.post("Profiler.stop", (err, result) => {
      if (err) return;
      const file = path.join(dir, `${process.pid}-${script}${suffix}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(result.profile));
    });
  };
  start();
  process.on("exit", () => {
    write();
    write();
  });
  const onSigterm = () => {
    write();
    start();
    // A process with no SIGTERM handler of its own must still end.
    if (process.listenerCount("SIGTERM") === 1) process.exit(143);
  };
  // The server drops the signal listeners set before its own (embedded PostgreSQL's) but this.
  Object.assign(onSigterm, { [Symbol.for("battle-tracker.keep-signal-listener")]: true });
  process.prependListener("SIGTERM", onSigterm);
}
