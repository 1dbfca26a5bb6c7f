import type { FeedToken } from '../core/index.ts';

/** Identical link requests within this window get the link just issued, not another one. */
export const SAME_LINK_WINDOW_MS = 10_000;

export type DmOutcome = 'sent' | 'closed' | 'failed';

/** A link issued moments ago (the clear token lives only here, for a few seconds, in memory). */
export type RecentLink = {
  readonly token: FeedToken;
  readonly prefix: string;
  readonly filterJson: string | null;
  readonly rotated: number;
  readonly dm: DmOutcome;
  readonly at: number;
};

/**
 * Keeps a student's link operations one at a time (ten quick /subscribe used to create ten
 * links, each revoking the previous) and remembers the link each student was just given, so a
 * repeated request within a few seconds shows the same link instead of a new one.
 */
export function createLinkGate(windowMs = SAME_LINK_WINDOW_MS) {
  const chains = new Map<string, Promise<unknown>>();
  const recent = new Map<string, RecentLink>();
  const keyOf = (userId: string, sectionId: number): string => `${userId}:${String(sectionId)}`;

  return {
    /** Runs `work` after the user's previous link operations have finished. */
    async serialize<T>(userId: string, work: () => Promise<T>): Promise<T> {
      const previous = chains.get(userId) ?? Promise.resolve();
      const run = previous.then(work);
      const tail = run.catch(() => undefined);
      chains.set(userId, tail);
      try {
        return await run;
      } finally {
        if (chains.get(userId) === tail) chains.delete(userId);
      }
    },
    remember(userId: string, sectionId: number, link: RecentLink): void {
      recent.set(keyOf(userId, sectionId), link);
    },
    /** The link given within the window, if any (older ones are forgotten). */
    recall(userId: string, sectionId: number, now: Date): RecentLink | undefined {
      for (const [key, link] of recent) {
        if (now.getTime() - link.at > windowMs || now.getTime() < link.at) recent.delete(key);
      }
      return recent.get(keyOf(userId, sectionId));
    },
    forget(userId: string, sectionId: number): void {
      recent.delete(keyOf(userId, sectionId));
    },
  };
}

export type LinkGate = ReturnType<typeof createLinkGate>;
