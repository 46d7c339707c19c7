import os from "node:os";
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "../../shared/log";
import type { ServerConfig } from "../config";
import { loadOrCreateReleaseKey, type ReleaseKey } from "../releases/release-key";
import { loadOrCreateServerTls } from "../tls/server-tls";

/** Who the agent service is: what enrollment tokens carry and what Enroll hands out. */
export interface AgentServiceIdentity {
  /** host:port agents connect to; known once the port is bound. */
  serverAddress: string;
  /** SHA-256 of the server certificate; empty without TLS. */
  fingerprint: string;
  caPem: string;
  releaseKey: ReleaseKey;
}

/**
 * Loads (on first start: creates) the CA, the server certificate and the release key, and the
 * credentials the agent service listens with: TLS unless agent.tls is false (loopback only).
 */
export function loadAgentServiceSecurity(
  config: ServerConfig,
  log: Logger,
): { credentials: grpc.ServerCredentials; identity: AgentServiceIdentity } {
  const releaseKey = loadOrCreateReleaseKey(config.dataDir);
  if (!config.agent.tls) {
    log.warn({ address: config.agentListen }, "agent service without TLS (loopback only)");
    const identity = { serverAddress: "", fingerprint: "", caPem: "", releaseKey };
    return { credentials: grpc.ServerCredentials.createInsecure(), identity };
  }

  const hosts = [hostOf(config.agent.publicAddress), hostOf(config.agentListen)];
  const tls = loadOrCreateServerTls(config.dataDir, hosts, log);
  const credentials = grpc.ServerCredentials.createSsl(
    null,
    [{ cert_chain: Buffer.from(tls.certificateChainPem), private_key: Buffer.from(tls.keyPem) }],
    false,
  );
  const identity = { serverAddress: "", fingerprint: tls.fingerprint, caPem: tls.caPem, releaseKey };
  return { credentials, identity };
}

/** agent.publicAddress, or the listen address with the port bound and a reachable host name. */
export function publicAgentAddress(config: ServerConfig, boundPort: number): string {
  if (config.agent.publicAddress) return config.agent.publicAddress;
  const host = hostOf(config.agentListen);
  const reachable = host === "0.0.0.0" || host === "::" || host === "[::]" ? os.hostname() : host;
  return `${reachable}:${boundPort}`;
}

function hostOf(hostPort: string): string {
  return hostPort.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
}
