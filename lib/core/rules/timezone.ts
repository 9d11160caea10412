/** Whether the runtime's time zone database knows `timezone` (an IANA name such as Europe/Berlin). */
export function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
