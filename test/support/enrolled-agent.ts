/**
 * Test launcher: `node dist/test/support/enrolled-agent.js <admin host:port> <name> <agent args…>`
 * enrolls the agent in TRACKER_AGENT_HOME through a fresh enrollment token (unless it already
 * holds a credential), then runs the agent's own main in this process with the agent args. One
 * process, so a test stops it with a signal exactly like a plain agent.
 */
import path from "node:path";
import { agentHomeDir } from "../../agent/agent-home";
import { loadCredential } from "../../agent/credentials";
import { enroll } from "../../agent/enroll";
import { AdminClient } from "./admin-client";

async function enrollOnce(adminAddress: string, name: string): Promise<void> {
  const home = agentHomeDir();
  if (loadCredential(home)) return;

  const admin = new AdminClient(adminAddress, process.env.TRACKER_TEST_ADMIN_TOKEN ?? "");
  try {
    const { token } = await admin.call("createEnrollmentToken", { name });
    await enroll({ token, home, agentName: name });
  } finally {
    admin.close();
  }
}

const [adminAddress, name, ...agentArgs] = process.argv.slice(2);
enrollOnce(adminAddress, name).then(
  () => {
    const agentMain = path.join(__dirname, "..", "..", "agent", "main.js");
    process.argv = [process.argv[0], agentMain, ...agentArgs];
    require(agentMain);
  },
  (err: unknown) => {
    process.stderr.write(`enrolled-agent: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(3);
  },
);
