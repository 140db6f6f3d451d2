/**
 * The retrain stage: fine-tuning candidates and recommendations (with their alert and webhook),
 * datasets built from the collected failures and their trusted targets, training through a backend
 * (a provider's fine-tuning API, or the local trainer), evaluation of the tuned model against the
 * current one, and its canary through the prompt versions.
 */
export { registerRetrainHandlers } from './register.ts';
export type { TrainingBackend, BackendJob, StartTraining } from './backends/training-backend.ts';
/** For webhook receivers: how a delivery is signed and checked. */
export { signWebhook, verifySignature } from './webhook.ts';
