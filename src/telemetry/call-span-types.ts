import type { TraceExportSettings } from '../config/index.ts';
import type { CallCapture } from '../core/call-capture.ts';

/** Where spans go (from the OTEL_* variables) and each provider's base URL (for `server.address`). */
export interface CallSpanSettings extends TraceExportSettings {
  /** Provider name → its base URL. */
  servers: Record<string, string>;
}

/** What the recorder knows of a call once it is finalized: the response read back and the error as stored. */
export interface FinalizedCall {
  response: {
    body: unknown;
    usage: { inputTokens: number | null; outputTokens: number | null; cachedTokens: number | null };
    finishReasons: string[];
    servedModel: string | null;
  };
  error: string | null;
}

export interface CallSpans {
  /** One span for the call (none for routes that are not GenAI operations). Never throws. */
  add(c: CallCapture, f: FinalizedCall): void;
  /** Exports what is waiting and stops (at most a few seconds). */
  shutdown(): Promise<void>;
}
