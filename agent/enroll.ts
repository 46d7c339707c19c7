import os from "node:os";
import * as grpc from "@grpc/grpc-js";
import { decodeEnrollmentToken } from "../shared/enrollment-token";
import { AgentServiceClient, type EnrollResponse } from "../shared/gen/tracker/v1/agent";
import { VERSION } from "../shared/version";
import { saveCredential, type AgentCredential } from "./credentials";
import { agentChannelCredentials } from "./grpc-channel";
import { fetchPinnedCa, isLoopbackAddress } from "./tls";
import { TLS_NAME_OPTION } from "./grpc-channel";

/** The whole enrollment, TLS handshake included, must finish within this time. */
export const ENROLL_TIMEOUT_MS = 30_000;

/** Enrollment cannot go on; the message says why and what to do. */
export class EnrollError extends Error {
  override name = "EnrollError";
}

export interface EnrollOptions {
  token: string;
  /** The agent's config directory, where the credential is written. */
  home: string;
  /** @default the host name */
  agentName?: string;
}

/**
 * Trades an enrollment token for a credential: learns the server's CA over a connection
 * pinned to the token's fingerprint, calls Enroll over TLS that trusts only that CA and
 * fingerprint, and stores the credential owner-only in the config directory.
 */
export async function enroll(options: EnrollOptions): Promise<{ credential: AgentCredential; file: string }> {
  let content;
  try {
    content = decodeEnrollmentToken(options.token);
  } catch (err) {
    throw new EnrollError((err as Error).message);
  }
  const { serverAddress, fingerprint } = content;
  if (!fingerprint && !isLoopbackAddress(serverAddress)) {
    throw new EnrollError(`the token names a server without TLS at ${serverAddress}: only loopback may be plaintext`);
  }

  const caPem = fingerprint ? await fetchPinnedCa(serverAddress, fingerprint) : "";
  const response = await callEnroll(serverAddress, { fingerprint, caPem }, options);
  const credential: AgentCredential = {
    serverAddress,
    agentId: response.agentId,
    secret: response.secret,
    fingerprint,
    caPem,
    releasePublicKeyPem: response.releasePublicKey,
    enrolledAt: new Date().toISOString(),
  };
  return { credential, file: saveCredential(options.home, credential) };
}

function callEnroll(
  address: string,
  pin: { fingerprint: string; caPem: string },
  options: EnrollOptions,
): Promise<EnrollResponse> {
  const client = new AgentServiceClient(address, agentChannelCredentials(pin), TLS_NAME_OPTION);
  const request = {
    token: options.token.trim(),
    agentName: options.agentName ?? os.hostname(),
    os: process.platform,
    arch: process.arch,
    version: VERSION,
  };
  return new Promise<EnrollResponse>((resolve, reject) => {
    const deadline = new Date(Date.now() + ENROLL_TIMEOUT_MS);
    client.enroll(request, new grpc.Metadata(), { deadline }, (err, response) => {
      if (err) reject(new EnrollError(`the server refused enrollment: ${err.details || err.message}`));
      else resolve(response);
    });
  }).finally(() => client.close());
}
