/** Seconds in a simulated day; sim days are UTC calendar days. */
export const DAY_SECONDS = 86_400;

/** Maps simulated day numbers (day 1 = startDay) to unix seconds. */
export class SimCalendar {
  /** Unix seconds of 00:00 UTC on day 1. */
  readonly day1StartUnix: number;

  constructor(startDay: string) {
    this.day1StartUnix = Date.parse(`${startDay}T00:00:00Z`) / 1000;
  }

  /** Unix seconds of 00:00 UTC on day k. */
  dayStart(day: number): number {
    return this.day1StartUnix + (day - 1) * DAY_SECONDS;
  }

  /** Unix seconds of the first second after day k. */
  dayEnd(day: number): number {
    return this.dayStart(day + 1);
  }

  /** The UTC date of day k as YYYY-MM-DD. */
  date(day: number): string {
    return new Date(this.dayStart(day) * 1000).toISOString().slice(0, 10);
  }
}
