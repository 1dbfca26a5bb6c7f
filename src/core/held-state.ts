/**
 * A held scrape as people see it: the change guard (scraper/change-guard.ts) holds an implausible
 * change until identical later scrapes confirm it; /admin/status and Discord /status say so.
 */

/** The stored message of a held run: the guard's reason, then identical scrapes seen/needed. */
export function heldMessage(reason: string, seen: number, needed: number): string {
  return `${reason}; held back (${seen}/${needed})`;
}

/** What /admin/status and Discord /status say about a section whose latest scrape was held. */
export type HeldState = {
  readonly code: string;
  /** The guard's reason, e.g. "160 new events appeared at once (40 upcoming events before)". */
  readonly reason: string;
  /** Identical later scrapes still needed before the change is stored and announced. */
  readonly confirmationsRemaining: number;
  readonly at: Date | null;
};

/** The held state of a section from its latest finished run (undefined: not held). */
export function describeHeld(
  run:
    | {
        status: string;
        errorCode: string | null;
        errorMessage: string | null;
        finishedAt: Date | null;
      }
    | undefined,
): HeldState | undefined {
  if (run?.status !== 'held') return undefined;
  const message = run.errorMessage ?? '';
  const match = /^([\s\S]*); held back \((\d+)\/(\d+)\)$/.exec(message);
  return {
    code: run.errorCode ?? 'scraper.suspicious_drop',
    reason: match?.[1] ?? message,
    confirmationsRemaining: match === null ? 1 : Math.max(1, Number(match[3]) - Number(match[2])),
    at: run.finishedAt,
  };
}
