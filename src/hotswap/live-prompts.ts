import type { Db } from '../db/index.ts';
import type { RedisClients } from '../jobs/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { loadLivePrompts, type LiveComponent } from './load-live-prompts.ts';
import { announcePromptChange, listenForPromptChanges } from './prompt-announcements.ts';

export type { LiveComponent, LiveVersion } from './load-live-prompts.ts';

export interface LivePrompts {
  /** Synchronous, in memory. Undefined for components with neither an active nor a canary version. */
  get(component: string): LiveComponent | undefined;
  /** Tells every gateway (and this one) that pointers moved. */
  changed(): Promise<void>;
  start(): Promise<void>;
  /** Stops reloading and listening; the Redis clients are their owner's to close. */
  close(): Promise<void>;
}

/** One reload at a time; a change announced during one triggers another after it. A failed reload keeps what is held. */
function serialReload(load: () => Promise<void>, logger: Logger): () => Promise<void> {
  let reloading: Promise<void> | null = null;
  let again = false;
  const reload = (): Promise<void> => {
    if (reloading) {
      again = true;
      return reloading;
    }
    reloading = load()
      .catch((err: unknown) => logger.warn({ err }, 'could not reload prompt versions; keeping the ones held'))
      .finally(() => {
        reloading = null;
        if (again) {
          again = false;
          void reload();
        }
      });
    return reloading;
  };
  return reload;
}

/**
 * The live prompt versions, held in memory by every gateway. Reloaded whole (one small query) at
 * start, every `reloadMs` as the safety net, and at once when any gateway moves a pointer: over Redis
 * pub/sub on the process's shared clients when there are any (REDIS_URL), in-process otherwise.
 */
export function createLivePrompts(opts: { db: Db; redis: RedisClients | undefined; channel: string; reloadMs: number; logger: Logger }): LivePrompts {
  let live = new Map<string, LiveComponent>();
  let timer: NodeJS.Timeout | undefined;
  let stopListening: (() => void) | undefined;
  const reload = serialReload(async () => {
    live = await loadLivePrompts(opts.db);
  }, opts.logger);

  return {
    get: (component) => live.get(component),

    async changed() {
      await reload();
      if (opts.redis) await announcePromptChange(opts.redis, opts.channel).catch((err: unknown) => opts.logger.warn({ err }, 'could not announce a prompt change; other gateways reload within their period'));
    },

    async start() {
      await reload();
      timer = setInterval(() => void reload(), opts.reloadMs);
      timer.unref();
      if (opts.redis) stopListening = await listenForPromptChanges(opts.redis.subscriber, opts.channel, () => void reload(), opts.logger);
    },

    async close() {
      if (timer) clearInterval(timer);
      stopListening?.();
    },
  };
}
