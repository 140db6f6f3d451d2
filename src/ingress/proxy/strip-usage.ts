import { SseFramer } from '../../core/sse.ts';

/**
 * For chat streams where the gateway asked the upstream for usage (to record it) but the client did
 * not: passes every event through except the usage-only chunk (`choices: []` with `usage`).
 * Works on whole events, so nothing is held back longer than one event.
 */
export class UsageChunkFilter {
  private readonly framer = new SseFramer();

  push(chunk: Uint8Array): string {
    let out = '';
    for (const event of this.framer.push(chunk)) {
      if (!isUsageOnly(event)) out += event;
    }
    return out;
  }

  end(): string {
    return this.framer.rest();
  }
}

function isUsageOnly(event: string): boolean {
  if (!event.includes('"usage"')) return false;
  const dataAt = event.indexOf('data:');
  if (dataAt === -1) return false;
  try {
    const data = JSON.parse(event.slice(dataAt + 5).trim()) as { choices?: unknown; usage?: unknown };
    return Array.isArray(data.choices) && data.choices.length === 0 && data.usage != null;
  } catch {
    return false;
  }
}
