-- How many agents each coordinator has on each API key budget, so coordinators sharing this
-- database split a key's requests per second among all its agents rather than each among its
-- own (see server/agent-service/key-holder-census.ts).
CREATE TABLE key_holders (
  -- A random id a coordinator picks at start; rows of a coordinator that stopped age out.
  coordinator  text NOT NULL,
  -- "<api key id>" for an application key, "<api key id>@<public address>" for an ip key.
  budget       text NOT NULL,
  holders      int NOT NULL CHECK (holders > 0),
  seen_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (coordinator, budget)
);
