-- Untrusted results: a share of batches is fetched a second time by another agent and the two
-- results compared; agents that disagree with the majority, or offend too often, are flagged.

-- Set when an agent disagreed with two others on a batch or passed the offence threshold.
ALTER TABLE agents ADD COLUMN flagged boolean NOT NULL DEFAULT false;
ALTER TABLE agents ADD COLUMN flagged_reason text;
ALTER TABLE agents ADD COLUMN flagged_at timestamptz;

-- 0: an ordinary batch; 1: a first result is held, waiting for a second fetch; 2: two results
-- disagree, waiting for a third. The batch stays 'pending' between fetches, so the round waits.
ALTER TABLE batches ADD COLUMN verify_stage smallint NOT NULL DEFAULT 0
  CHECK (verify_stage BETWEEN 0 AND 2);
-- Agents whose results are held; the next fetch must come from another agent.
ALTER TABLE batches ADD COLUMN verify_agents text[];
-- When the batch entered its current stage; past verify.waitMs any agent may take it.
ALTER TABLE batches ADD COLUMN verify_since timestamptz;

-- Results held until their batch is decided. Never merged: the deciding result is.
CREATE TABLE verification_results (
  batch_id       bigint NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  lease_id       bigint NOT NULL,
  agent_id       text NOT NULL,
  fetched_at_ms  bigint NOT NULL,
  players        jsonb NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, lease_id)
);

CREATE UNIQUE INDEX verification_results_lease ON verification_results (lease_id);

-- One row per decided batch: who fetched it and how the comparison ended.
CREATE TABLE verifications (
  batch_id      bigint PRIMARY KEY REFERENCES batches (id) ON DELETE CASCADE,
  round_id      bigint NOT NULL,
  agents        text[] NOT NULL,
  -- agreed: two results agreed; decided: a third sided with one; undecided: all three differ.
  outcome       text NOT NULL CHECK (outcome IN ('agreed', 'decided', 'undecided')),
  wrong_agents  text[] NOT NULL DEFAULT '{}',
  decided_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX verifications_round ON verifications (round_id);
