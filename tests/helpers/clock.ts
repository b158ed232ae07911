/** A clock the test moves by hand. */
export function manualClock(start = new Date('2026-06-01T12:00:00Z')) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    /** The time in whole seconds, as JWT claims count it. */
    seconds: () => Math.floor(now / 1000),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}
