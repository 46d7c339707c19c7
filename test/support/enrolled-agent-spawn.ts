import { distEntry, spawnNode, type Spawned } from "./child-process";

/** Where a test's agents get their enrollment tokens. */
export interface TokenSource {
  /** host:port of the admin service. */
  adminAddress: string;
  adminToken: string;
}

/**
 * Starts a compiled agent that enrolls itself first (see enrolled-agent.ts), so that tests can
 * start agents synchronously, as before agents needed a credential. Same stdout and signals.
 */
export function spawnEnrolledAgent(
  tokens: TokenSource,
  name: string,
  agentArgs: string[],
  env: NodeJS.ProcessEnv,
): Spawned {
  return spawnNode(distEntry("test/support/enrolled-agent.js"), [tokens.adminAddress, name, ...agentArgs], {
    ...env,
    TRACKER_TEST_ADMIN_TOKEN: tokens.adminToken,
  });
}
