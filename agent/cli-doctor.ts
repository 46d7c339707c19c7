import { VERSION } from "../shared/version";
import { agentDataDir, agentHomeDir, loadOrCreateAgentId } from "./agent-home";
import type { DoctorCommand } from "./cli-args";
import { describeStatus, processIsAlive } from "./cli-status";
import { credentialMetadata, loadCredential, type AgentCredential } from "./credentials";
import {
  checkApi,
  checkTcp,
  clockVerdict,
  grpcVerdict,
  probeSession,
  type CheckResult,
  type SessionProbe,
} from "./doctor-checks";
import { agentChannelCredentials, createAgentServiceClient } from "./grpc-channel";
import { readStatusFile, statusFilePath } from "./status-file";

/** Each network step of the doctor gives up after this long. */
export const DOCTOR_TIMEOUT_MS = 10_000;
/** Exit code when any check failed. */
export const EXIT_CHECK_FAILED = 1;
/** Error codes with which the server refuses the credential itself. */
const CREDENTIAL_REFUSALS = ["AGENT_NOT_ENROLLED", "AGENT_CREDENTIAL_INVALID", "AGENT_REVOKED"];

export interface DoctorOptions {
  server: string;
  /** The enrollment credential, null when the agent has not enrolled. */
  credential: AgentCredential | null;
  /** Id for the Hello of an agent without credential. */
  localAgentId: string;
  /** An agent is running here: a Session of the same agent would push it off the server. */
  agentRunning: boolean;
  timeoutMs?: number;
}

/** Runs every check in order; a check whose premise failed is reported as skipped. */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? DOCTOR_TIMEOUT_MS;
  const tcp = await checkTcp(options.server, timeoutMs);
  const results = [tcp, tlsCheck(options.credential)];

  const skipped = (why: string) =>
    ["server reachable (gRPC)", "API reachable", "clock skew"].map((name) => skip(name, why));
  if (tcp.verdict !== "ok") {
    return [...results, credentialCheck(options.credential), ...skipped("server not reachable")];
  }
  if (options.credential && options.agentRunning) {
    const why = "an agent is running here (see tracker-agent status); stop it to check these";
    return [...results, credentialCheck(options.credential), ...skipped(why)];
  }

  const probe = await sessionProbe(options, timeoutMs);
  results.push(credentialCheck(options.credential, probe), grpcVerdict(probe));
  results.push(
    probe.config
      ? await checkApi(probe.config, timeoutMs)
      : skip("API reachable", "no Config from the server"),
    clockVerdict(probe),
  );
  return results;
}

/** A brief Session as this agent (enrolled) or under a probe id (not enrolled). */
function sessionProbe(options: DoctorOptions, timeoutMs: number): Promise<SessionProbe> {
  const { credential, server } = options;
  const client = credential
    ? createAgentServiceClient(
        server,
        agentChannelCredentials(credential),
        credentialMetadata(credential),
      )
    : createAgentServiceClient(server);
  const agentId = credential ? credential.agentId : probeAgentId(options.localAgentId);
  return probeSession(client, agentId, timeoutMs);
}

/**
 * The id an agent without credential says Hello with: not its own, because the server ends
 * any other session of the same agent id when a new one starts.
 */
export function probeAgentId(agentId: string): string {
  return `${agentId.slice(0, 57)}.doctor`;
}

function tlsCheck(credential: AgentCredential | null): CheckResult {
  if (credential?.fingerprint) {
    const pin = `${credential.fingerprint.slice(0, 16)}…`;
    return { name: "TLS", verdict: "ok", detail: `pinned to the certificate ${pin}` };
  }
  return { name: "TLS", verdict: "warn", detail: "plaintext (allowed on loopback only)" };
}

function credentialCheck(credential: AgentCredential | null, probe?: SessionProbe): CheckResult {
  const name = "credential";
  if (!credential) return { name, verdict: "warn", detail: "not enrolled" };

  const refusal = probe?.errorCode;
  if (refusal && CREDENTIAL_REFUSALS.includes(refusal)) {
    return { name, verdict: "fail", detail: `refused by the server (${refusal}): enroll again` };
  }
  const checked = probe?.config ? "accepted by the server" : "not checked with the server";
  return { name, verdict: "ok", detail: `agent ${credential.agentId}, ${checked}` };
}

function skip(name: string, detail: string): CheckResult {
  return { name, verdict: "skip", detail };
}

/** The report: a header, one aligned line per check, and the overall verdict. */
export function formatDoctorReport(server: string, results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.name.length));
  const lines = results.map(
    (result) => `  ${result.verdict.padEnd(5)} ${result.name.padEnd(width)}  ${result.detail}`,
  );
  const count = (verdict: string) => results.filter((result) => result.verdict === verdict).length;
  const failed = count("fail");
  const summary =
    `${failed === 0 ? "healthy" : "problems found"}: ${count("ok")} ok, ` +
    `${count("warn")} warnings, ${failed} failed, ${count("skip")} skipped`;
  return [`tracker-agent ${VERSION} doctor, server ${server}`, ...lines, summary, ""].join("\n");
}

/** `tracker-agent doctor`: prints the report, exits 1 when a check failed. */
export async function runDoctorCommand(
  command: DoctorCommand,
  out: NodeJS.WritableStream,
): Promise<number> {
  const home = agentHomeDir();
  const credential = loadCredential(home);
  const server = command.server || credential?.serverAddress || "";
  if (server === "") {
    out.write("tracker-agent doctor: no server to check: enroll first, or give --server\n");
    return EXIT_CHECK_FAILED;
  }

  const dataDir = agentDataDir();
  const status = readStatusFile(dataDir);
  const file = statusFilePath(dataDir);
  const { running } = describeStatus(status, file, Date.now(), processIsAlive);
  const localAgentId = command.agentId ?? loadOrCreateAgentId(home);

  const results = await runDoctor({ server, credential, localAgentId, agentRunning: running });
  out.write(formatDoctorReport(server, results));
  return results.some((result) => result.verdict === "fail") ? EXIT_CHECK_FAILED : 0;
}
