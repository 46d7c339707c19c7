import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AGENT_ID_METADATA, AGENT_SECRET_METADATA } from "../shared/agent-credential";
import type { AgentServiceClient } from "../shared/gen/tracker/v1/agent";
import { agentChannelCredentials, createAgentServiceClient } from "./grpc-channel";
import { rotatingClient, splitServers, type ServerRotation } from "./server-rotation";

/** File in the agent's config directory holding its credential (owner-only). */
export const CREDENTIAL_FILE = "credential.json";

/** Everything the agent keeps from enrolling. */
export interface AgentCredential {
  /** host:port of the agent service; several comma-separated for coordinators on one database. */
  serverAddress: string;
  agentId: string;
  secret: string;
  /** SHA-256 of the server certificate the agent pins; empty for a loopback plaintext server. */
  fingerprint: string;
  /** The server's CA, the trust root of every connection after enrolling. */
  caPem: string;
  /** Ed25519 key (SPKI PEM) every downloaded release must be signed with. */
  releasePublicKeyPem: string;
  enrolledAt: string;
}

/** Writes the credential readable by the owner only, replacing an old one atomically. */
export function saveCredential(dir: string, credential: AgentCredential): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, CREDENTIAL_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return file;
}

/** The credential kept in `dir`, or null when this agent has not enrolled. */
export function loadCredential(dir: string): AgentCredential | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, CREDENTIAL_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<AgentCredential>;
  const required = ["serverAddress", "agentId", "secret", "releasePublicKeyPem"] as const;
  for (const key of required) {
    if (typeof parsed[key] !== "string" || parsed[key] === "") {
      throw new Error(`${path.join(dir, CREDENTIAL_FILE)} is damaged (no ${key}): enroll again`);
    }
  }
  return { fingerprint: "", caPem: "", enrolledAt: "", ...parsed } as AgentCredential;
}

/** The metadata every AgentService call but Enroll carries. */
export function credentialMetadata(credential: Pick<AgentCredential, "agentId" | "secret">): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(AGENT_ID_METADATA, credential.agentId);
  metadata.set(AGENT_SECRET_METADATA, credential.secret);
  return metadata;
}

/** The agent has no credential yet; the message tells the volunteer what to do. */
export class NotEnrolledError extends Error {
  override name = "NotEnrolledError";
}

/**
 * The credential in `home` and the client that uses it: TLS pinned to the enrolled server,
 * the credential in every call's metadata. `serverOverride` reaches the same server by another
 * address (the certificate is still checked by its fingerprint), or lists several coordinators
 * sharing one database and one TLS identity: the client calls one at a time, `rotation` moves on.
 */
export function enrolledClient(
  home: string,
  serverOverride: string,
): {
  credential: AgentCredential;
  server: string;
  client: AgentServiceClient;
  rotation: ServerRotation;
} {
  const credential = loadCredential(home);
  if (!credential) {
    throw new NotEnrolledError(
      `this agent is not enrolled (no ${path.join(home, CREDENTIAL_FILE)}): ` +
        "run `tracker-agent enroll <token>` with a token from the tracker's admin",
    );
  }
  const server = serverOverride || credential.serverAddress;
  const channel = agentChannelCredentials(credential);
  const metadata = credentialMetadata(credential);
  const { client, rotation } = rotatingClient(splitServers(server), (address) =>
    createAgentServiceClient(address, channel, metadata),
  );
  return { credential, server, client, rotation };
}
