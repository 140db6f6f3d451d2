/** Polls until the check passes (or throws its last error after the limit). For effects that land after a response. */
export async function eventually<T>(check: () => Promise<T> | T, limitMs = 10_000, everyMs = 50): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
