import t from "tap";
import { loadServerConfig } from "../../server/config";
import { ConfigError } from "../../shared/config";

t.test("TLS is on by default for the agent service", async (t) => {
  t.equal(loadServerConfig({ env: {} }).agent.tls, true);
});

t.test("plaintext is allowed on loopback only, and only when asked for", async (t) => {
  const plain = (listen: string) =>
    loadServerConfig({ env: {}, overrides: { "agent.listen": listen, "agent.tls": false } });
  t.equal(plain("127.0.0.1:7400").agent.tls, false);
  t.equal(plain("[::1]:7400").agent.tls, false);
  t.throws(() => plain("0.0.0.0:7400"), ConfigError);
  t.throws(() => plain("192.168.1.5:7400"), ConfigError);
});
