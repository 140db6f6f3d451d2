export {
  deliverWebhook,
  recommendationMessage,
  recommendationView,
  signWebhook,
  verifySignature,
  webhookEventOf,
  webhookOutcomes,
  webhookTarget,
  WebhookDeliveryError,
  type DeliverOptions,
  type RecommendationView,
  type WebhookBody,
  type WebhookEvent,
  type WebhookOutcome,
  type WebhookTarget,
} from './webhook.ts';
export { observeDatasetRows, observeRecommendations, observeTrainingJobFinished } from './recommendation-metrics.ts';
