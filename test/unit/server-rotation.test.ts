import t from "tap";
import { parseCliArgs, UsageError } from "../../agent/cli-args";
import { rotatingClient, splitServers } from "../../agent/server-rotation";
import type { AgentServiceClient } from "../../shared/gen/tracker/v1/agent";

t.test("run takes several coordinator addresses; doctor still takes one", async (t) => {
  const run = parseCliArgs(["run", "--server", "a:1, b:2"], {});
  t.match(run, { command: "run", server: "a:1,b:2" });
  t.same(splitServers("a:1,b:2"), ["a:1", "b:2"]);
  t.same(splitServers("a:1"), ["a:1"], "one address is a list of one");
  t.throws(() => parseCliArgs(["run", "--server", "a:1,"], {}), UsageError, "an empty address");
  t.throws(() => parseCliArgs(["run", "--server", "a:1,b"], {}), UsageError, "no port");
  t.throws(() => parseCliArgs(["doctor", "--server", "a:1,b:2"], {}), UsageError);
});

t.test("the rotating client calls the current coordinator and moves round-robin", async (t) => {
  const closed: string[] = [];
  const connect = (server: string) =>
    ({
      session: () => server,
      close: () => closed.push(server),
    }) as unknown as AgentServiceClient;
  const { client, rotation } = rotatingClient(["a:1", "b:2"], connect);
  const target = () => (client.session as unknown as () => string)();

  t.equal(target(), "a:1", "the first address first");
  t.equal(rotation.advance(), "b:2");
  t.equal(target(), "b:2", "calls follow the rotation");
  t.equal(rotation.advance(), "a:1", "and wrap around");
  t.equal(target(), "a:1");
  client.close();
  t.same(closed.sort(), ["a:1", "b:2"], "close() closes the client of every address used");
});
