/** The caller's local date as YYYY-MM-DD: "today" and "this quarter" depend on where the user is. */
export function localDate(now: Date, timeZone = 'UTC'): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
      now,
    );
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

/** The caller's local time of day as HH:MM. */
export function localTime(now: Date, timeZone = 'UTC'): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      now,
    );
  } catch {
    return now.toISOString().slice(11, 16);
  }
}
