import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';

/** How long an enqueue waits for a connection that is being opened right now. */
const connectWaitMs = 2000;
/** An outage logs its connection errors at most this often per client. */
const errorLogIntervalMs = 10_000;

/**
 * The Redis clients of a process, built once (main/deps.ts) and shared: the two BullMQ runs on,
 * with opposite failure policies, and one for pub/sub.
 *
 * - `producer` (queues: enqueue, schedule, counts; pub/sub publishes) fails fast. `enableOfflineQueue: false`
 *   makes a command sent while disconnected reject at once instead of queueing until Redis
 *   returns, and `maxRetriesPerRequest: 1` bounds the retries of a command caught by a drop.
 *   `ensureProducerReady()` waits only for the first connection being opened (at most
 *   `connectWaitMs`); from a connection error until the next 'ready' it rejects at once.
 *   Without this, BullMQ would wait for 'ready' and enqueue would hang for the whole outage.
 * - `workerTemplate` is never connected itself: BullMQ duplicates it into each Worker's
 *   regular and blocking connections. It carries `maxRetriesPerRequest: null`, as BullMQ
 *   requires for workers, and keeps the offline queue, so workers ride out an outage.
 * - `subscriber` is the connection pub/sub subscriptions live on (a subscribed connection takes no
 *   other commands); it connects when the first subscriber (hotswap's live prompts) connects it.
 *
 * All are lazy (nothing connects before first use) and reconnect forever with a backoff
 * capped at 2 s. `close()` ends all three; whoever built the clients closes them, once.
 */
export interface RedisClients {
  producer: Redis;
  workerTemplate: Redis;
  /** For pub/sub subscriptions only (listeners remove their own handlers; close() ends it). */
  subscriber: Redis;
  /** Resolves when the producer can take commands; AppError('overloaded') when Redis is down. */
  ensureProducerReady(): Promise<void>;
  close(): Promise<void>;
}

export function throttledErrorLog(logger: Logger, source: string): (err: unknown) => void {
  let last = 0;
  let suppressed = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < errorLogIntervalMs) {
      suppressed += 1;
      return;
    }
    logger.warn({ source, suppressed, err }, 'redis error');
    last = now;
    suppressed = 0;
  };
}

export function unavailable(cause?: unknown): AppError {
  return new AppError('overloaded', 'the job queue is unavailable', { cause });
}

function waitForReady(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onFail);
      client.off('end', onFail);
    };
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const onFail = (err?: unknown): void => {
      cleanup();
      reject(unavailable(err));
    };
    const timer = setTimeout(() => onFail(new Error(`redis not ready within ${timeoutMs} ms`)), timeoutMs);
    client.on('ready', onReady);
    client.on('error', onFail);
    client.on('end', onFail);
  });
}

export function createRedisClients(redisUrl: string, logger: Logger): RedisClients {
  const common: RedisOptions = { lazyConnect: true, retryStrategy: (times: number) => Math.min(times * 200, 2000) };
  const producer = new Redis(redisUrl, {
    ...common,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectionName: 'fixpoint:jobs:producer',
  });
  const workerTemplate = new Redis(redisUrl, { ...common, maxRetriesPerRequest: null, connectionName: 'fixpoint:jobs:worker' });
  const subscriber = new Redis(redisUrl, { ...common, maxRetriesPerRequest: 1, connectionName: 'fixpoint:subscriber' });
  // Down from the first connection error until the next 'ready': no waiting for reconnects.
  let producerDown = false;
  producer.on('error', throttledErrorLog(logger, 'producer'));
  producer.on('error', () => (producerDown = true));
  producer.on('ready', () => (producerDown = false));
  workerTemplate.on('error', throttledErrorLog(logger, 'worker'));
  subscriber.on('error', throttledErrorLog(logger, 'subscriber'));

  return {
    producer,
    workerTemplate,
    subscriber,

    async ensureProducerReady() {
      switch (producer.status) {
        case 'ready':
          return;
        case 'wait': {
          const ready = waitForReady(producer, connectWaitMs);
          // Failures surface through the 'error' event, which waitForReady turns into a rejection.
          producer.connect().catch(() => undefined);
          return ready;
        }
        case 'connecting':
        case 'connect':
          if (!producerDown) return waitForReady(producer, connectWaitMs);
          throw unavailable(new Error('redis is down; reconnecting'));
        default:
          // 'reconnecting', 'close', 'end': Redis is down (or we are closed); do not wait for it.
          throw unavailable(new Error(`redis connection is ${producer.status}`));
      }
    },

    async close() {
      const end = async (client: Redis): Promise<void> => {
        if (client.status === 'ready') {
          await client.quit().catch(() => client.disconnect());
        } else client.disconnect();
      };
      await Promise.allSettled([end(producer), end(workerTemplate), end(subscriber)]);
    },
  };
}
