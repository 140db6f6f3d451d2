import { pino } from 'pino';

/** How often one kind of error is logged with its full stack; in between, one line with a count. */
export const DEFAULT_STACK_INTERVAL_MS = 60_000;
/** Kinds remembered at once; past it the oldest are forgotten (their next stack is logged again). */
const MAX_KINDS = 500;

type SerializedError = ReturnType<typeof pino.stdSerializers.err>;

/** One kind of error: its class, its code and its message with numbers, ids and addresses blurred. */
export function errorKind(err: { name?: unknown; code?: unknown; message?: unknown }): string {
  const message = typeof err.message === 'string' ? err.message.slice(0, 200).replace(/[0-9a-f]{8,}|\d+/gi, '#') : '';
  return `${String(err.name ?? 'Error')}|${typeof err.code === 'string' || typeof err.code === 'number' ? err.code : ''}|${message}`;
}

/**
 * pino's `err` serializer with stacks rate-limited: an error logs its full stack (and causes) the
 * first time its kind is seen in an interval; repeats within it are one line (type, message, code)
 * with `repeats`: how many of this kind were logged since its last stack. A 20 s Redis outage that
 * logged 90 stacks logs one.
 */
export function createErrorSerializer(intervalMs = DEFAULT_STACK_INTERVAL_MS, now: () => number = Date.now): (err: unknown) => unknown {
  const kinds = new Map<string, { stackAt: number; repeats: number }>();
  return (err) => {
    if (!(err instanceof Error)) return err;
    const full = pino.stdSerializers.err(err);
    const kind = errorKind(err as Error & { code?: unknown });
    const t = now();
    const seen = kinds.get(kind);
    if (!seen || t - seen.stackAt >= intervalMs) {
      if (!seen && kinds.size >= MAX_KINDS) kinds.delete(kinds.keys().next().value as string);
      kinds.set(kind, { stackAt: t, repeats: 0 });
      return seen && seen.repeats > 0 ? { ...full, repeatsWithoutStack: seen.repeats } : full;
    }
    seen.repeats += 1;
    const { type, message } = full as SerializedError;
    const code = (err as { code?: unknown }).code;
    return { type, message, ...(code !== undefined ? { code } : {}), repeats: seen.repeats };
  };
}
