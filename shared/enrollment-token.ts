/** What an enrollment token carries; the agent needs nothing else to enroll. */
export interface EnrollmentTokenContent {
  /** host:port of the agent service. */
  serverAddress: string;
  /** One-time secret, stored hashed on the server. */
  secret: string;
  /** SHA-256 of the server certificate's DER (hex); empty when the server runs without TLS. */
  fingerprint: string;
}

const PREFIX = "btenroll1.";

/** Packs the content into one string a volunteer can paste: a prefix and base64url JSON. */
export function encodeEnrollmentToken(content: EnrollmentTokenContent): string {
  const json = JSON.stringify({ a: content.serverAddress, s: content.secret, f: content.fingerprint });
  return PREFIX + Buffer.from(json, "utf8").toString("base64url");
}

/** Unpacks a token; throws an Error saying what is wrong with it. */
export function decodeEnrollmentToken(token: string): EnrollmentTokenContent {
  const trimmed = token.trim();
  if (!trimmed.startsWith(PREFIX)) {
    throw new Error(`not an enrollment token: it must start with "${PREFIX}"`);
  }
  let fields: { a?: unknown; s?: unknown; f?: unknown };
  try {
    fields = JSON.parse(Buffer.from(trimmed.slice(PREFIX.length), "base64url").toString("utf8"));
  } catch {
    throw new Error("the enrollment token is damaged (was it copied whole?)");
  }
  const { a, s, f } = fields;
  if (typeof a !== "string" || typeof s !== "string" || typeof f !== "string" || !a || !s) {
    throw new Error("the enrollment token is damaged (was it copied whole?)");
  }
  if (f !== "" && !/^[0-9a-f]{64}$/.test(f)) throw new Error("the token's fingerprint is damaged");
  return { serverAddress: a, secret: s, fingerprint: f };
}
