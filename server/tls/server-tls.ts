import { createHash, X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "../../shared/log";
import {
  createCertificateAuthority,
  createServerCertificate,
  type CertificateAndKey,
} from "./certificate-authority";

/** What the agent service listens with, and what enrollment tokens carry. */
export interface ServerTls {
  caPem: string;
  /** The server certificate followed by the CA, as sent in the handshake. */
  certificateChainPem: string;
  keyPem: string;
  /** SHA-256 of the server certificate's DER, lowercase hex; agents pin it. */
  fingerprint: string;
}

/** Directory inside the data directory holding the CA and the server certificate. */
export const TLS_DIR = "tls";

const FILES = {
  caCertificate: "ca.pem",
  caKey: "ca-key.pem",
  certificate: "server.pem",
  key: "server-key.pem",
};

/**
 * Loads the CA and server certificate from dataDir/tls, creating both on first start. They
 * are kept for good: agents pin the certificate, so a new one would orphan every agent.
 */
// LIMITATION: there is no certificate rotation; a new server certificate means re-enrolling.
export function loadOrCreateServerTls(dataDir: string, hosts: readonly string[], log: Logger): ServerTls {
  const dir = path.join(dataDir, TLS_DIR);
  const file = (name: keyof typeof FILES) => path.join(dir, FILES[name]);

  if (!fs.existsSync(file("certificate")) || !fs.existsSync(file("key"))) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ca = loadOrCreateCa(file("caCertificate"), file("caKey"));
    const names = certificateHosts(hosts);
    const server = createServerCertificate(ca, "battle-tracker coordinator", names);
    writeOwnerOnly(file("key"), server.keyPem);
    fs.writeFileSync(file("certificate"), server.certificatePem);
    log.info({ dir, hosts: names }, "server certificate created");
  }

  const caPem = fs.readFileSync(file("caCertificate"), "utf8");
  const certificatePem = fs.readFileSync(file("certificate"), "utf8");
  return {
    caPem,
    certificateChainPem: certificatePem + caPem,
    keyPem: fs.readFileSync(file("key"), "utf8"),
    fingerprint: certificateFingerprint(certificatePem),
  };
}

/** SHA-256 of a PEM certificate's DER, lowercase hex without separators. */
export function certificateFingerprint(certificatePem: string): string {
  return createHash("sha256").update(new X509Certificate(certificatePem).raw).digest("hex");
}

function loadOrCreateCa(certificateFile: string, keyFile: string): CertificateAndKey {
  if (fs.existsSync(certificateFile) && fs.existsSync(keyFile)) {
    return {
      certificatePem: fs.readFileSync(certificateFile, "utf8"),
      keyPem: fs.readFileSync(keyFile, "utf8"),
    };
  }
  const ca = createCertificateAuthority(`battle-tracker CA ${os.hostname()}`);
  writeOwnerOnly(keyFile, ca.keyPem);
  fs.writeFileSync(certificateFile, ca.certificatePem);
  return ca;
}

/** Names for the certificate; agents check the fingerprint, so these are for other clients. */
function certificateHosts(hosts: readonly string[]): string[] {
  const all = ["localhost", "127.0.0.1", "::1", os.hostname(), ...hosts];
  return [...new Set(all.filter((h) => h !== "" && h !== "0.0.0.0" && h !== "::"))];
}

function writeOwnerOnly(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
