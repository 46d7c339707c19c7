import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { CREDENTIAL_FILE } from "../../agent/credentials";
import { enroll, EnrollError } from "../../agent/enroll";
import { CertificateMismatchError } from "../../agent/tls";
import { certificateFingerprint } from "../../server/tls/server-tls";
import { decodeEnrollmentToken, encodeEnrollmentToken } from "../../shared/enrollment-token";
import { startCluster } from "../support/cluster";
import { nextErrorCode, openSession } from "./session-credentials";

t.test("enrollment over TLS pinned to the server certificate, and credentials refused", async (t) => {
  const cluster = await startCluster(t, { sim: { idsPerPlatform: 200 } });
  const home = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `agent-${name}-`));
  const homes: string[] = [];
  t.teardown(() => homes.forEach((h) => fs.rmSync(h, { recursive: true, force: true })));
  const newHome = (name: string) => {
    const dir = home(name);
    homes.push(dir);
    return dir;
  };
  const serverPem = fs.readFileSync(path.join(cluster.dataDir, "tls", "server.pem"), "utf8");

  const { token } = await cluster.admin.call("createEnrollmentToken", { name: "volunteer-1" });
  const content = decodeEnrollmentToken(token);

  t.test("a token carries the server address and the certificate fingerprint", async (t) => {
    t.equal(content.serverAddress, `127.0.0.1:${cluster.server.agentPort}`);
    t.equal(content.fingerprint, certificateFingerprint(serverPem));
  });

  t.test("a token whose fingerprint is not the server's is refused before enrolling", async (t) => {
    const forged = encodeEnrollmentToken({ ...content, fingerprint: "ab".repeat(32) });
    await t.rejects(enroll({ token: forged, home: newHome("forged") }), CertificateMismatchError);
    const { tokens } = await cluster.admin.call("listEnrollmentTokens", {});
    t.equal(tokens.find((x) => x.name === "volunteer-1")?.usedAt, "", "the token is still unused");
  });

  const dir = newHome("one");
  const { credential } = await enroll({ token, home: dir, agentName: "laptop" });

  t.test("enrolling keeps the credential owner-only and marks the token used", async (t) => {
    const file = path.join(dir, CREDENTIAL_FILE);
    t.equal(fs.statSync(file).mode & 0o777, 0o600);
    t.match(credential.agentId, /^agt-[0-9a-f]{12}$/);
    t.match(credential.releasePublicKeyPem, /BEGIN PUBLIC KEY/);
    t.match(credential.caPem, /BEGIN CERTIFICATE/);
    const [row] = await cluster.db.sql`SELECT name, secret_hash FROM agents WHERE id = ${credential.agentId}`;
    t.equal(row.name, "volunteer-1", "the name given with the token wins");
    t.not(row.secret_hash, credential.secret, "the server keeps only a hash of the secret");
    const { tokens } = await cluster.admin.call("listEnrollmentTokens", {});
    t.equal(tokens.find((x) => x.name === "volunteer-1")?.agentId, credential.agentId);
  });

  t.test("a token enrolls one agent only", async (t) => {
    await t.rejects(enroll({ token, home: newHome("two") }), EnrollError);
  });

  const server = credential.serverAddress;
  t.test("a session with the credential gets its Config; the agent id is the credential's", async (t) => {
    const session = await openSession(server, credential, credential);
    t.equal(session.code, "config");
    const { agents } = await cluster.admin.call("listAgents", {});
    t.ok(agents.some((a) => a.id === credential.agentId && a.connected));
    t.notOk(agents.some((a) => a.id === "ignored"), "Hello's agent id is not used");
    session.close();
  });

  t.test("sessions without a credential or with a wrong secret are refused by code", async (t) => {
    const none = await openSession(server, credential, null);
    t.equal(none.code, "AGENT_NOT_ENROLLED");
    t.match(none.details, /enroll/);
    none.close();
    const wrong = await openSession(server, credential, { ...credential, secret: "guess" });
    t.equal(wrong.code, "AGENT_CREDENTIAL_INVALID");
    wrong.close();
  });

  t.test("revoking a connected agent ends its stream at once and refuses it afterwards", async (t) => {
    const session = await openSession(server, credential, credential);
    t.equal(session.code, "config");
    const ended = nextErrorCode(session.stream);
    await cluster.admin.call("revokeAgent", { agentId: credential.agentId, reason: "test" });
    t.equal(await ended, "AGENT_REVOKED");
    session.close();

    const again = await openSession(server, credential, credential);
    t.equal(again.code, "AGENT_REVOKED");
    t.match(again.details, /revoked/);
    again.close();
  });
});
