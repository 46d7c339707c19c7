import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

/** A certificate and its private key, both PEM. */
export interface CertificateAndKey {
  certificatePem: string;
  keyPem: string;
}

/** The server's CA and certificate are kept for this long; the agent pins them until then. */
const VALIDITY_YEARS = 20;
const RSA_BITS = 2048;

/**
 * Makes a self-signed CA. node:crypto cannot build X.509 certificates, so node-forge encodes
 * them; the RSA keys come from node:crypto because forge's pure-JS key generation is slow.
 */
export function createCertificateAuthority(commonName: string): CertificateAndKey {
  const { key, keyPem } = newRsaKey();
  const subject = [{ name: "commonName", value: commonName }];
  const certificate = baseCertificate(key.publicKey, subject);

  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  certificate.sign(key.privateKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(certificate), keyPem };
}

/** Makes the server's certificate, signed by the CA, valid for the given DNS names and IPs. */
export function createServerCertificate(
  ca: CertificateAndKey,
  commonName: string,
  hosts: readonly string[],
): CertificateAndKey {
  const caCertificate = forge.pki.certificateFromPem(ca.certificatePem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { key, keyPem } = newRsaKey();
  const certificate = baseCertificate(key.publicKey, [{ name: "commonName", value: commonName }]);

  certificate.setIssuer(caCertificate.subject.attributes);
  certificate.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: hosts.map(altName) },
  ]);
  certificate.sign(caKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(certificate), keyPem };
}

function newRsaKey(): { key: forge.pki.rsa.KeyPair; keyPem: string } {
  const pair = generateKeyPairSync("rsa", { modulusLength: RSA_BITS });
  const keyPem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const privateKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  return { key: { privateKey, publicKey }, keyPem };
}

function baseCertificate(
  publicKey: forge.pki.PublicKey,
  subject: forge.pki.CertificateField[],
): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  // A positive serial: the high bit of the first byte is cleared.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  certificate.serialNumber = serial.toString("hex");
  certificate.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  certificate.validity.notAfter = new Date();
  certificate.validity.notAfter.setFullYear(new Date().getFullYear() + VALIDITY_YEARS);
  certificate.setSubject(subject);
  return certificate;
}

function altName(host: string): { type: number; value?: string; ip?: string } {
  const isIp = /^[0-9.]+$/.test(host) || host.includes(":");
  return isIp ? { type: 7, ip: host } : { type: 2, value: host };
}
