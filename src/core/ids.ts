import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;
// Random bytes drawn in bulk: one system call per 256 ids instead of two per id.
const POOL = 16 * 256;
let pool = randomBytes(POOL);
let poolAt = 0;
function random16(): Buffer {
  if (poolAt + 16 > POOL) {
    pool = randomBytes(POOL);
    poolAt = 0;
  }
  const b = Buffer.from(pool.subarray(poolAt, poolAt + 16));
  poolAt += 16;
  return b;
}

/**
 * A UUIDv7 (for calls, and every other row that wants a time-ordered id: versions, events, runs): time-ordered, so ids sort by start time and work as paging cursors.
 * Monotonic within one process (a 12-bit counter fills the rand_a field within a millisecond).
 */
export function newUuidV7(now: number = Date.now()): string {
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    seq = 0;
  }
  const b = random16();
  if (seq === 0) seq = ((b[14] ?? 0) << 2) & 0x3ff;
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function isUuid(s: string): boolean {
  return uuidPattern.test(s);
}
