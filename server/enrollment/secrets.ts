import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A new random secret, URL-safe, 256 bits. */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * What the database keeps instead of a secret. The secrets are 256 random bits, so one SHA-256
 * is enough: there is nothing to guess that a slow hash would protect.
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Compares a secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string | null): boolean {
  if (!storedHash) return false;
  const given = Buffer.from(hashSecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return stored.length === given.length && timingSafeEqual(given, stored);
}
