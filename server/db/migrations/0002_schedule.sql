-- The daily round schedule, set at run time through AdminService.SetSchedule.
-- One row (id is always true). Coordinators sharing the database fire it once per day: the
-- check runs under an advisory lock and records the UTC date it fired on in last_fired_on.

CREATE TABLE round_schedule (
  id             boolean PRIMARY KEY DEFAULT true CHECK (id),
  enabled        boolean NOT NULL DEFAULT false,
  -- UTC time of day at which the round for the day that just ended starts.
  time_of_day    time NOT NULL DEFAULT '00:30',
  -- UTC date on which the schedule last fired (or was set past that day's time).
  last_fired_on  date,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

INSERT INTO round_schedule DEFAULT VALUES;

