import { createHash } from 'node:crypto';
import type { RetrainSettings } from '../../config/index.ts';

export const splitNames = ['train', 'validation', 'gate'] as const;
export type SplitName = (typeof splitNames)[number];

/**
 * Which split a session's rows go to, from a hash of the session id (the call id for calls without a
 * session): the same session always lands in the same split, so a conversation is never both trained
 * on and held out, and the gate set is never trained on.
 */
export function splitOf(sessionKey: string, splits: RetrainSettings['splits']): SplitName {
  const x = createHash('sha256').update(`retrain-split\0${sessionKey}`).digest().readUInt32BE(0) / 0x1_0000_0000;
  if (x < splits.gate) return 'gate';
  if (x < splits.gate + splits.validation) return 'validation';
  return 'train';
}
