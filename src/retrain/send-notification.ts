import { eq } from 'drizzle-orm';
import { finetuneRecommendations, recommendationEvents } from '../db/index.ts';
import type { RetrainDeps } from './deps.ts';
import { deliverWebhook, recommendationMessage, WebhookDeliveryError, webhookEventOf, webhookTarget } from './webhook.ts';

/**
 * One recommendation event posted to `retrain.webhook.url`: Slack-compatible text plus the structured
 * recommendation, signed. A failed delivery throws, so the job system retries it with backoff — except
 * a refusal no retry will change (a 4xx other than 408/429, a redirect): counted, logged, dropped.
 */
export async function sendNotification(deps: RetrainDeps, recommendationId: string, eventId: string, signal?: AbortSignal): Promise<void> {
  const target = webhookTarget(deps.config);
  if (!target) return;
  const [rec] = await deps.db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.id, recommendationId));
  const [event] = await deps.db.select().from(recommendationEvents).where(eq(recommendationEvents.id, eventId));
  if (!rec || !event) return;
  try {
    await deliverWebhook(target, recommendationMessage(rec, webhookEventOf(event)), fetch, signal ? { signal } : {});
    deps.metrics.webhookDeliveries.labels('delivered').inc();
  } catch (err) {
    const outcome = err instanceof WebhookDeliveryError ? err.outcome : 'network_error';
    deps.metrics.webhookDeliveries.labels(outcome).inc();
    deps.logger.warn({ recommendationId, eventId, outcome, err: (err as Error).message }, 'webhook delivery failed');
    if (err instanceof WebhookDeliveryError && !err.retryable) return;
    throw err;
  }
}
