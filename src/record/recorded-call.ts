import type { CallCapture } from '../core/call-capture.ts';
import type { CallView } from '../evaluate/index.ts';
import type { FinalizeResult } from './finalize.ts';

/** A call as detection sees it, from the recorder's hands rather than read back: see `Recorder`'s `detect`. */
export interface RecordedCall {
  view: CallView;
  startedAt: Date;
}

/**
 * The view loadCalls would read back for this call once stored: the request as the client sent it
 * (what the stored body hydrates to), the response and the error as stored.
 */
export function recordedCallOf(c: CallCapture, f: FinalizeResult): RecordedCall {
  return {
    view: {
      id: c.id,
      component: c.component,
      route: c.route,
      status: c.status,
      httpStatus: c.httpStatus,
      error: f.error,
      finishReasons: f.response.finishReasons,
      outputTokens: f.usage.outputTokens,
      request: c.request,
      response: f.responseView,
    },
    startedAt: new Date(c.startedAt),
  };
}
