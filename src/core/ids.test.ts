import { describe, expect, it } from 'vitest';
import { isUuid, newUuidV7 } from './ids.ts';

describe('newUuidV7', () => {
  it('makes UUIDv7s that sort in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newUuidV7());
    expect(ids.every(isUuid)).toBe(true);
    expect(ids.every((id) => id[14] === '7' && '89ab'.includes(id[19] ?? ''))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const sameMs = Array.from({ length: 10 }, () => newUuidV7(1_800_000_000_000));
    expect([...sameMs].sort()).toEqual(sameMs);
  });
});
