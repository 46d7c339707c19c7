import type { GetScheduleRequest, Schedule } from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import { yesterdayUtc } from "../scheduler/plan-round";
import type { AdminContext } from "./handlers";
import { startRoundFor, type RoundStarterDeps } from "./start-round";
import { PeriodicTask } from "../periodic-task";

/** Key of the session advisory lock under which one coordinator at a time checks the schedule. */
const SCHEDULE_LOCK_KEY = 7_201_914_003;
const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

export interface RoundScheduleOptions {
  /** How often the schedule is checked. */
  checkMs: number;
  /** The clock; tests pass a fake one. @default () => new Date() */
  now?: () => Date;
}

/**
 * Starts the daily round by itself: once the UTC time of day set by SetSchedule has passed, the
 * round for the day that just ended starts, once per UTC day however many coordinators share the
 * database. The check runs under a session advisory lock (one coordinator at a time), skips a
 * stat day that already has a round that was not cancelled (started by an admin, or by a
 * coordinator that died before it recorded the firing), and records the date in last_fired_on.
 * While another round is still running the check waits and tries again next period.
 */
export class RoundSchedule {
  private readonly periodic: PeriodicTask;
  private readonly now: () => Date;
  private waitingLogged = "";

  constructor(
    private readonly deps: RoundStarterDeps,
    private readonly options: RoundScheduleOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.periodic = new PeriodicTask(options.checkMs, () => this.tick());
  }

  start(): void {
    this.periodic.start();
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
  }

  /** One check; resolves with the round it started, if any. Never throws. */
  async tick(): Promise<number | null> {
    try {
      return await this.withLock(() => this.fireIfDue());
    } catch (err) {
      this.deps.log.warn({ err }, "schedule check failed");
      return null;
    }
  }

  private async withLock(fn: () => Promise<number | null>): Promise<number | null> {
    const conn = await this.deps.sql.reserve();
    try {
      const [{ locked }] = await conn`SELECT pg_try_advisory_lock(${SCHEDULE_LOCK_KEY}) AS locked`;
      if (!locked) return null;
      try {
        return await fn();
      } finally {
        await conn`SELECT pg_advisory_unlock(${SCHEDULE_LOCK_KEY})`;
      }
    } finally {
      conn.release();
    }
  }

  private async fireIfDue(): Promise<number | null> {
    const now = this.now();
    const today = now.toISOString().slice(0, 10);
    const [row] = await this.deps.sql`
      SELECT enabled, to_char(time_of_day, 'HH24:MI') AS time_of_day, last_fired_on
        FROM round_schedule`;
    if (!row?.enabled || now.toISOString().slice(11, 16) < row.time_of_day) return null;
    if (row.last_fired_on && row.last_fired_on >= today) return null;

    const statDay = yesterdayUtc(now);
    const [measured] = await this.deps.sql`
      SELECT id FROM rounds WHERE stat_day = ${statDay} AND state <> 'cancelled' LIMIT 1`;
    if (measured) {
      await this.recordFired(today);
      return null;
    }
    try {
      const planned = await startRoundFor(this.deps, statDay, "schedule");
      await this.recordFired(today);
      return planned.roundId;
    } catch (err) {
      if (!(err instanceof TrackerError)) throw err;
      if (this.waitingLogged !== today) {
        this.deps.log.warn({ statDay, reason: err.message }, "scheduled round waits");
        this.waitingLogged = today;
      }
      return null;
    }
  }

  private async recordFired(today: string): Promise<void> {
    await this.deps.sql`UPDATE round_schedule SET last_fired_on = ${today}`;
  }
}

async function getSchedule(_req: GetScheduleRequest, ctx: AdminContext): Promise<Schedule> {
  const [row] = await ctx.sql`
    SELECT enabled, to_char(time_of_day, 'HH24:MI') AS time_of_day FROM round_schedule`;
  return { enabled: row.enabled, timeOfDay: row.time_of_day };
}

/**
 * Sets the schedule; an empty time_of_day keeps the current one. When today's time has already
 * passed, the first round fires tomorrow: a round started hours late would count part of
 * today's battles as yesterday's.
 */
export async function setScheduleAt(
  req: Schedule,
  ctx: AdminContext,
  now: Date,
): Promise<Schedule> {
  if (req.timeOfDay && !TIME_OF_DAY.test(req.timeOfDay)) {
    throw new TrackerError(
      "INVALID_ARGUMENT",
      `time_of_day "${req.timeOfDay}" must be HH:MM (UTC), e.g. 00:30`,
    );
  }
  const today = now.toISOString().slice(0, 10);
  const clock = now.toISOString().slice(11, 16);
  const [row] = await ctx.sql`
    UPDATE round_schedule
       SET enabled = ${req.enabled},
           time_of_day = coalesce(${req.timeOfDay || null}::time, time_of_day),
           updated_at = now(),
           last_fired_on = CASE
             WHEN coalesce(${req.timeOfDay || null}::time, time_of_day) <= ${clock}::time
             THEN greatest(last_fired_on, ${today}::date) ELSE last_fired_on END
    RETURNING enabled, to_char(time_of_day, 'HH24:MI') AS time_of_day`;
  return { enabled: row.enabled, timeOfDay: row.time_of_day };
}

export const scheduleCalls = {
  getSchedule,
  setSchedule: (req: Schedule, ctx: AdminContext) => setScheduleAt(req, ctx, new Date()),
};
