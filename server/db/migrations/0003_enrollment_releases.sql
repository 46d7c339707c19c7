-- Enrollment and releases: agents authenticate with a credential issued against a one-time
-- enrollment token; the server offers signed releases of the agent executable.

-- One-time tokens an admin hands to volunteers. Only the SHA-256 of the secret is kept.
CREATE TABLE enrollment_tokens (
  id           bigserial PRIMARY KEY,
  secret_hash  text NOT NULL UNIQUE,
  name         text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz,
  -- The agent that enrolled with it.
  agent_id     text REFERENCES agents (id)
);

-- An agent's credential: the SHA-256 of its secret. NULL for rows written before enrollment
-- existed; such agents cannot authenticate and must enroll.
ALTER TABLE agents ADD COLUMN secret_hash text;
ALTER TABLE agents ADD COLUMN enrolled_at timestamptz;
-- Set by RevokeAgent; a revoked credential never works again.
ALTER TABLE agents ADD COLUMN revoked_at timestamptz;

CREATE TABLE releases (
  id            bigserial PRIMARY KEY,
  version       text NOT NULL UNIQUE,
  published_at  timestamptz NOT NULL DEFAULT now()
);

-- One executable of a release. The file itself stays in the server's data directory.
CREATE TABLE release_files (
  release_id  bigint NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
  os          text NOT NULL,
  arch        text NOT NULL,
  path        text NOT NULL,
  size        bigint NOT NULL CHECK (size > 0),
  sha256      text NOT NULL,
  -- Ed25519 signature by the server's release key over release-message.ts's message.
  signature   bytea NOT NULL,
  PRIMARY KEY (release_id, os, arch)
);
