-- Battle Tracker schema, version 1.
-- The tables players, player_totals, player_diffs and the view daily_activity are the public
-- interface for data users; change them only with a new migration and a README note.

CREATE TABLE realms (
  id          serial PRIMARY KEY,
  platform    text NOT NULL UNIQUE CHECK (platform IN ('xbox', 'ps')),
  first_id    bigint NOT NULL CHECK (first_id > 0),
  -- Inclusive upper end of the id range.
  last_id     bigint NOT NULL,
  enabled     boolean NOT NULL DEFAULT true,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (last_id >= first_id)
);

CREATE TABLE api_keys (
  id                   bigserial PRIMARY KEY,
  application_id       text NOT NULL UNIQUE,
  requests_per_second  double precision NOT NULL CHECK (requests_per_second > 0),
  -- 'application': one budget shared by every agent; 'ip': one budget per public address.
  kind                 text NOT NULL DEFAULT 'application' CHECK (kind IN ('application', 'ip')),
  enabled              boolean NOT NULL DEFAULT true,
  created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agents (
  id            text PRIMARY KEY,
  name          text NOT NULL DEFAULT '',
  version       text NOT NULL DEFAULT '',
  os            text NOT NULL DEFAULT '',
  arch          text NOT NULL DEFAULT '',
  address       text NOT NULL DEFAULT '',
  banned        boolean NOT NULL DEFAULT false,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  batches_done  bigint NOT NULL DEFAULT 0,
  failures      bigint NOT NULL DEFAULT 0,
  offences      bigint NOT NULL DEFAULT 0
);

CREATE TABLE rounds (
  id           bigserial PRIMARY KEY,
  stat_day     date NOT NULL,
  -- running -> done | cancelled; running <-> paused.
  state        text NOT NULL DEFAULT 'running'
               CHECK (state IN ('running', 'paused', 'done', 'cancelled')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  batches_total bigint NOT NULL DEFAULT 0
);

-- At most one round that is not finished.
CREATE UNIQUE INDEX rounds_one_active ON rounds ((true)) WHERE state IN ('running', 'paused');

CREATE SEQUENCE lease_ids;

CREATE TABLE batches (
  id             bigserial PRIMARY KEY,
  round_id       bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  realm_id       int NOT NULL REFERENCES realms (id),
  -- Contiguous id range [first_id, last_id]; account_ids overrides it when set (dense packing).
  first_id       bigint NOT NULL,
  last_id        bigint NOT NULL,
  account_ids    bigint[],
  state          text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'leased', 'done', 'failed')),
  lease_id       bigint,
  agent_id       text,
  lease_expires  timestamptz,
  attempts       int NOT NULL DEFAULT 0,
  last_error     text,
  done_at        timestamptz,
  players_found  int
);

CREATE INDEX batches_pending ON batches (round_id, id) WHERE state = 'pending';
CREATE INDEX batches_leased ON batches (lease_expires) WHERE state = 'leased';
CREATE UNIQUE INDEX batches_lease_id ON batches (lease_id) WHERE lease_id IS NOT NULL;
CREATE INDEX batches_round_state ON batches (round_id, state);

CREATE TABLE players (
  account_id              bigint PRIMARY KEY,
  platform                text NOT NULL CHECK (platform IN ('xbox', 'ps')),
  nickname                text NOT NULL,
  created_at              timestamptz,
  last_battle_time        timestamptz,
  updated_at              timestamptz,
  battles                 bigint,
  wins                    bigint,
  spotted                 bigint,
  damage_dealt            bigint,
  frags                   bigint,
  dropped_capture_points  bigint,
  first_seen              timestamptz NOT NULL DEFAULT now(),
  -- When a fetch last changed this row (unchanged rows are not rewritten).
  last_fetched            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE player_totals (
  account_id              bigint NOT NULL,
  stat_day                date NOT NULL,
  platform                text NOT NULL,
  battles                 bigint NOT NULL,
  wins                    bigint NOT NULL,
  spotted                 bigint NOT NULL,
  damage_dealt            bigint NOT NULL,
  frags                   bigint NOT NULL,
  dropped_capture_points  bigint NOT NULL,
  last_battle_time        timestamptz,
  -- True for the first measurement of a player (no diff was computed).
  baseline                boolean NOT NULL DEFAULT false,
  PRIMARY KEY (account_id, stat_day)
) PARTITION BY RANGE (stat_day);

CREATE TABLE player_diffs (
  account_id              bigint NOT NULL,
  stat_day                date NOT NULL,
  platform                text NOT NULL,
  battles                 bigint NOT NULL,
  wins                    bigint NOT NULL,
  spotted                 bigint NOT NULL,
  damage_dealt            bigint NOT NULL,
  frags                   bigint NOT NULL,
  dropped_capture_points  bigint NOT NULL,
  -- True when the account was created after the previous round: all its battles are new.
  new_account             boolean NOT NULL DEFAULT false,
  PRIMARY KEY (account_id, stat_day)
) PARTITION BY RANGE (stat_day);

CREATE TABLE anomalies (
  id            bigserial PRIMARY KEY,
  account_id    bigint NOT NULL,
  stat_day      date NOT NULL,
  field         text NOT NULL,
  old_value     bigint,
  new_value     bigint,
  batch_id      bigint,
  recorded_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX anomalies_stat_day ON anomalies (stat_day);

CREATE VIEW daily_activity AS
  SELECT d.stat_day,
         d.platform,
         count(*) FILTER (WHERE d.battles > 0) AS players_active,
         coalesce(sum(d.battles), 0)::bigint AS battles,
         (SELECT count(*) FROM players p
           WHERE p.platform = d.platform
             AND p.created_at >= d.stat_day::timestamp AT TIME ZONE 'UTC'
             AND p.created_at < (d.stat_day + 1)::timestamp AT TIME ZONE 'UTC') AS new_accounts
    FROM player_diffs d
   GROUP BY d.stat_day, d.platform;
