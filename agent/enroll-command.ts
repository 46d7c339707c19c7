import { parseArgs } from "node:util";
import { agentHomeDir } from "./agent-home";
import { enroll, EnrollError } from "./enroll";
import { CertificateMismatchError } from "./tls";

/** Exit codes of `tracker-agent enroll`. */
const EXIT_USAGE = 2;
const EXIT_REFUSED = 3;

export const ENROLL_USAGE = `Usage: tracker-agent enroll <token> [--name NAME] [--home DIR]

Trades a one-time enrollment token from the tracker's admin for this agent's credential and
keeps it, readable by you only, in the agent's config directory (TRACKER_AGENT_HOME overrides
it, and so does --home). Afterwards \`tracker-agent run\` needs no --server.
`;

/** `tracker-agent enroll <token>`: prints where the credential went, or why it could not. */
export async function runEnrollCommand(argv: readonly string[]): Promise<number> {
  let token: string | undefined;
  let name: string | undefined;
  let home: string | undefined;
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        name: { type: "string" },
        home: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (parsed.values.help) {
      process.stdout.write(ENROLL_USAGE);
      return 0;
    }
    [token] = parsed.positionals;
    name = parsed.values.name;
    home = parsed.values.home;
    if (!token || parsed.positionals.length > 1) throw new Error("give exactly one token");
  } catch (err) {
    process.stderr.write(`tracker-agent enroll: ${(err as Error).message}\n\n${ENROLL_USAGE}`);
    return EXIT_USAGE;
  }

  try {
    const { credential, file } = await enroll({ token, home: home ?? agentHomeDir(), agentName: name });
    const pinned = credential.fingerprint ? `TLS pinned to ${credential.fingerprint.slice(0, 16)}…` : "plaintext (loopback)";
    process.stdout.write(
      `enrolled as ${credential.agentId} with ${credential.serverAddress} (${pinned})\n` +
        `credential kept in ${file}\n`,
    );
    return 0;
  } catch (err) {
    const known = err instanceof EnrollError || err instanceof CertificateMismatchError;
    process.stderr.write(`tracker-agent enroll: ${known ? (err as Error).message : String(err)}\n`);
    return EXIT_REFUSED;
  }
}
