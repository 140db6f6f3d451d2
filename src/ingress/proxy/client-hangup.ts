import type { ServerResponse } from 'node:http';

/**
 * Whether the client went away before its response was finished, and what to do when it does. The
 * pass-through path aborts its upstream request through undici's dispatch controller and needs no
 * AbortSignal; the translated paths (SDK-style requests) get one, made only when asked for. An
 * AbortController per call, with undici's listener on its signal, cost the proxying thread more than
 * the rest of the call's bookkeeping (bench/compare.ts CPU profile).
 */
export class ClientHangup {
  private gone = false;
  private listener: (() => void) | null = null;
  private controller: AbortController | null = null;

  constructor(res: ServerResponse) {
    res.once('close', () => {
      if (!res.writableFinished) this.hangUp();
    });
  }

  /** The client closed the connection before the response was finished. */
  get happened(): boolean {
    return this.gone;
  }

  /** Aborted when the client hangs up (made on first use). */
  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.gone) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** Runs `fn` once when the client hangs up (at once if it has); a later call replaces an earlier `fn`. */
  onHangup(fn: () => void): void {
    if (this.gone) fn();
    else this.listener = fn;
  }

  private hangUp(): void {
    this.gone = true;
    const fn = this.listener;
    this.listener = null;
    this.controller?.abort();
    fn?.();
  }
}
