import fs from "node:fs";
import inspector from "node:inspector";
import path from "node:path";

/**
 * Preload that samples every Node process of a bench run with the V8 CPU profiler, because node
 * refuses --cpu-prof in NODE_OPTIONS and the bench spawns its processes itself. Use:
 *   PROF_DIR=<dir> NODE_OPTIONS="--require ./dist/test/bench/cpu-profile.js" make bench ...
 * Each process writes <dir>/<pid>-<script>.cpuprofile at SIGTERM or exit; read one with
 * `node dist/test/bench/profile-top.js <file>`.
 */
const dir = process.env.PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // The inspector answers a session of the same thread synchronously, so this works at exit.
    session.post("Profiler.stop", (err, result) => {
      if (err) return;
      const script = path.basename(process.argv[1] ?? "node").replace(/\W/g, "_");
      const file = path.join(dir, `${process.pid}-${script}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(result.profile));
    });
  };
  process.on("exit", write);
  process.prependListener("SIGTERM", () => {
    write();
    // A process with no SIGTERM handler of its own must still end.
    if (process.listenerCount("SIGTERM") === 1) process.exit(143);
  });
}
