/** A clock the test moves by hand. */
export function manualClock(start = new Date('2026-06-01T12:00:00Z')) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}
