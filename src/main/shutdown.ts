import type { Server } from 'node:http';
import type { Deps } from './deps.ts';

async function inflight(deps: Deps): Promise<number> {
  const v = await deps.metrics.inflight.get();
  return v.values[0]?.value ?? 0;
}

/**
 * One ordered shutdown with a deadline: /readyz turns red (calls are still served for the grace period), the listener stops,
 * in-flight calls get until the deadline to finish (then their connections are closed, which still
 * records them as aborted), the recorder flushes (or spools) and then exports its last call spans
 * (OTLP endpoint set), and connections close.
 *
 * From the first moment every response says `Connection: close` (serve.ts) and idle keep-alive
 * connections are closed, so clients holding one open reconnect (to another instance once the load
 * balancer has taken this one out) rather than keep sending calls here until the deadline.
 */
export async function shutdownGateway(server: Server, deps: Deps, deadlineMs: number, graceMs: number): Promise<void> {
  deps.lifecycle.draining = true;
  deps.schema.stop();
  server.closeIdleConnections();
  // Grace: /readyz is red but calls are still served, so the load balancer can take this instance out first.
  if (graceMs > 0) await new Promise((r) => setTimeout(r, graceMs));
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const until = Date.now() + deadlineMs;
  while ((await inflight(deps)) > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    server.closeIdleConnections();
  }
  server.closeAllConnections();
  await closed;
  // Connections closed at the deadline finish their calls (as client_abort) on the next ticks.
  await new Promise((r) => setImmediate(r));
  await deps.recorder.close();
  await deps.storedCalls.flush();
  await deps.prompts.close();
  await deps.jobs.close(Math.max(1000, until - Date.now()));
  // The Redis connections the job system and the live prompts shared: closed once, after both.
  await deps.redis?.close();
  await deps.registry.close();
  await deps.database.close();
}
