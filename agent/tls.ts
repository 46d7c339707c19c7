import { createHash, X509Certificate } from "node:crypto";
import tls from "node:tls";
import * as grpc from "@grpc/grpc-js";

/** How long the first look at the server's certificate may take. */
export const CERTIFICATE_FETCH_TIMEOUT_MS = 10_000;

/** The server did not present the certificate the enrollment token names. */
export class CertificateMismatchError extends Error {
  override name = "CertificateMismatchError";
}

/** SHA-256 of a certificate's DER, lowercase hex: what enrollment tokens carry. */
export function derFingerprint(der: Buffer): string {
  return createHash("sha256").update(der).digest("hex");
}

/**
 * Connects once to learn the server's CA, accepting the connection only if its certificate has
 * the pinned fingerprint and was issued by that CA. Chain checks are off for this one look
 * because the agent has no trust root yet; the fingerprint is what makes it safe.
 */
export function fetchPinnedCa(address: string, fingerprint: string): Promise<string> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ["h2"] });
    socket.setTimeout(CERTIFICATE_FETCH_TIMEOUT_MS, () => {
      socket.destroy(new Error(`no TLS answer from ${address} within ${CERTIFICATE_FETCH_TIMEOUT_MS} ms`));
    });
    socket.once("error", reject);
    socket.once("secureConnect", () => {
      try {
        resolve(pinnedCaOf(socket.getPeerCertificate(true), address, fingerprint));
      } catch (err) {
        reject(err);
      } finally {
        socket.end();
      }
    });
  });
}

function pinnedCaOf(peer: tls.DetailedPeerCertificate, address: string, fingerprint: string): string {
  if (!peer.raw || derFingerprint(peer.raw) !== fingerprint) {
    throw new CertificateMismatchError(
      `the server at ${address} presented a certificate other than the one the token names: ` +
        "refusing to connect (wrong address, or someone in between)",
    );
  }
  const leaf = new X509Certificate(peer.raw);
  const issuer = peer.issuerCertificate?.raw ? new X509Certificate(peer.issuerCertificate.raw) : null;
  if (!issuer || !issuer.ca || !leaf.checkIssued(issuer) || !leaf.verify(issuer.publicKey)) {
    throw new CertificateMismatchError(`the server at ${address} sent no CA that issued its certificate`);
  }
  return issuer.toString();
}

/**
 * Channel credentials trusting only the server's CA and, instead of the host name, checking
 * the certificate's fingerprint: the agent may reach the server by any name or address.
 */
export function pinnedChannelCredentials(caPem: string, fingerprint: string): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(caPem), null, null, {
    checkServerIdentity: (_host, certificate) => {
      if (certificate.raw && derFingerprint(certificate.raw) === fingerprint) return undefined;
      return new CertificateMismatchError("the server's certificate is not the pinned one");
    },
  });
}

/** "host:port" or "[v6]:port" → parts. */
export function splitAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!match) throw new Error(`expected host:port, got ${JSON.stringify(address)}`);
  return { host: match[1], port: Number(match[2]) };
}

/** True for 127.0.0.0/8, ::1 and localhost: the only places plaintext is allowed. */
export function isLoopbackAddress(address: string): boolean {
  const { host } = splitAddress(address);
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
