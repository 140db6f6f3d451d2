export { failureFingerprint, normalizeMessage, evidenceShape, type Fingerprint, type FingerprintInput } from './fingerprint.ts';
