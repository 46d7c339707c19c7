-- Dense packing and discovery (see server/scheduler/plan-realm.ts).

-- How often a realm's unknown ids are re-probed: each round probes one slice of 1/N of them, so
-- the whole realm is re-checked every N rounds.
ALTER TABLE realms ADD COLUMN discovery_every_rounds int NOT NULL DEFAULT 16
  CHECK (discovery_every_rounds BETWEEN 1 AND 1000);
-- Ids probed past the highest known account each round (at least; more while the top grows).
ALTER TABLE realms ADD COLUMN top_probe_ids int NOT NULL DEFAULT 2000
  CHECK (top_probe_ids BETWEEN 0 AND 10000000);

-- What each round asked of each realm: a full sweep, or known ids packed with one discovery
-- slice and the top probe.
CREATE TABLE round_realms (
  round_id         bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  realm_id         int NOT NULL REFERENCES realms (id),
  mode             text NOT NULL CHECK (mode IN ('sweep', 'dense')),
  known_ids        bigint NOT NULL DEFAULT 0,
  discovery_slice  int,
  top_from         bigint,
  top_to           bigint,
  PRIMARY KEY (round_id, realm_id)
);
