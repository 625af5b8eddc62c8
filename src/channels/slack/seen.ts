/**
 * Slack re-delivers an event (x-slack-retry-num) when it did not see our ack in time. The first
 * delivery is already being answered, so a retry is dropped here; if this process restarted in
 * between, the core's per-request idempotency still keeps the write single.
 */
export function createSeen(ttlMs = 60 * 60_000) {
  const seen = new Map<string, number>();
  return {
    /** True when this id was already taken; records it otherwise. */
    repeat(id: string, now = Date.now()): boolean {
      if (seen.has(id)) return true;
      if (seen.size > 10_000) {
        for (const [k, at] of seen) if (now - at > ttlMs) seen.delete(k);
      }
      seen.set(id, now);
      return false;
    },
  };
}
