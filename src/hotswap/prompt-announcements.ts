import type { Redis } from 'ioredis';
import type { RedisClients } from '../jobs/index.ts';
import type { Logger } from '../telemetry/index.ts';

/** Tells every process subscribed to the channel that prompt pointers moved (on the shared producer: fails fast when Redis is down). */
export async function announcePromptChange(redis: RedisClients, channel: string): Promise<void> {
  await redis.ensureProducerReady();
  await redis.producer.publish(channel, 'changed');
}

/**
 * Calls `onChange` for each announcement on the channel, and whenever the subscriber (re)connects.
 * The subscriber is the process's shared one: this connects it if nobody has, and returns what
 * stops listening; its owner closes it.
 */
export async function listenForPromptChanges(sub: Redis, channel: string, onChange: () => void, logger: Logger): Promise<() => void> {
  const onMessage = (from: string): void => {
    if (from === channel) onChange();
  };
  sub.on('message', onMessage);
  // A reconnect may have missed announcements: reload then too.
  sub.on('ready', onChange);
  if (sub.status === 'wait') await sub.connect().catch((err: unknown) => logger.warn({ err }, 'prompt announcements unavailable (Redis down); reloading periodically'));
  await sub.subscribe(channel).catch(() => undefined);
  return () => {
    sub.off('message', onMessage);
    sub.off('ready', onChange);
  };
}
