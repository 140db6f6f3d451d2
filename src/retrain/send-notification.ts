import { eq } from 'drizzle-orm';
import { finetuneRecommendations, recommendationEvents } from '../db/index.ts';
import type { RetrainDeps } from './deps.ts';
import { deliverWebhook, recommendationMessage } from './webhook.ts';

/**
 * One recommendation event posted to `retrain.webhook.url`: Slack-compatible text plus the structured
 * recommendation, signed. A failed delivery throws, so the job system retries it with backoff.
 */
export async function sendNotification(deps: RetrainDeps, recommendationId: string, eventId: string): Promise<void> {
  const { url, timeoutMs } = deps.settings.webhook;
  if (!url) return;
  const [rec] = await deps.db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.id, recommendationId));
  const [event] = await deps.db.select().from(recommendationEvents).where(eq(recommendationEvents.id, eventId));
  if (!rec || !event) return;
  const secret = deps.config.env.FIXPOINT_WEBHOOK_SECRET ?? deps.settings.webhook.secret;
  try {
    await deliverWebhook({ url, timeoutMs, ...(secret ? { secret } : {}) }, recommendationMessage(rec, event));
    deps.metrics.webhookDeliveries.labels('delivered').inc();
  } catch (err) {
    deps.metrics.webhookDeliveries.labels('failed').inc();
    deps.logger.warn({ recommendationId, eventId, err: (err as Error).message }, 'webhook delivery failed; retried with backoff');
    throw err;
  }
}
