import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, open as openFile, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSpool, spoolFileName, type Spool } from './spool.ts';

interface Rec {
  id: string;
  body: string;
}

let dir: string;
const opened: Spool[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fixpoint-spool-'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function open(opts: { maxFileBytes?: number; onTornFrame?: (file: string, offset: number) => void } = {}): Promise<Spool> {
  const spool = await openSpool({ dir, ...opts });
  opened.push(spool);
  return spool;
}

function recs(from: number, count: number, body = 'x'): Rec[] {
  return Array.from({ length: count }, (_, i) => ({ id: `r${from + i}`, body: `${body}-${from + i}` }));
}

function frameBytes(records: readonly object[]): number {
  return records.reduce<number>((sum, r) => sum + 8 + Buffer.byteLength(JSON.stringify(r)), 0);
}

async function drain(spool: Spool, batchSize?: number): Promise<{ ids: string[]; batches: number[]; count: number }> {
  const ids: string[] = [];
  const batches: number[] = [];
  const count = await spool.replay(async (batch) => {
    batches.push(batch.length);
    for (const r of batch) ids.push((r as Rec).id);
  }, batchSize);
  return { ids, batches, count };
}

async function spoolFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.fpl')).sort();
}

async function onlyFile(): Promise<string> {
  const files = await spoolFiles();
  expect(files).toHaveLength(1);
  return join(dir, files[0] ?? '');
}

function idsOf(records: readonly Rec[]): string[] {
  return records.map((r) => r.id);
}

describe('spool', () => {
  it('writes frames as big-endian length, CRC32 of the payload, then the JSON payload', async () => {
    const spool = await open();
    const record = { id: 'a1', text: 'héllo 🙂' };
    await spool.append([record]);
    const bytes = await readFile(await onlyFile());
    const payload = Buffer.from(JSON.stringify(record), 'utf8');
    expect(bytes.readUInt32BE(0)).toBe(payload.length);
    expect(bytes.readUInt32BE(4)).toBe(crc32(payload));
    expect(bytes.subarray(8).equals(payload)).toBe(true);
    expect((await spoolFiles())[0]).toMatch(/^spool-\d{15}-\d{6}\.fpl$/);
  });

  it('round-trips records in order across batches and rotated files, then removes the files', async () => {
    const spool = await open({ maxFileBytes: 200 });
    const all: Rec[] = [];
    for (let i = 0; i < 5; i += 1) {
      const batch = recs(i * 5, 5);
      all.push(...batch);
      await spool.append(batch);
    }
    expect((await spoolFiles()).length).toBeGreaterThan(1);
    const { ids, batches, count } = await drain(spool, 4);
    expect(count).toBe(25);
    expect(ids).toEqual(idsOf(all));
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
    expect(batches.length).toBeGreaterThan(5);
    expect(await spoolFiles()).toEqual([]);
    expect(spool.hasPending()).toBe(false);
    expect(spool.pendingBytes()).toBe(0);
  });

  it('serialises concurrent appends into one file, in call order, without interleaving', async () => {
    const onTornFrame = vi.fn();
    const spool = await open({ onTornFrame });
    const groups = Array.from({ length: 40 }, (_, i) => recs(i * 10, 1 + (i % 7), 'y'.repeat(i * 37)));
    await Promise.all(groups.map((g) => spool.append(g)));
    expect((await stat(await onlyFile())).size).toBe(frameBytes(groups.flat()));
    const { ids } = await drain(spool);
    expect(ids).toEqual(groups.flatMap(idsOf));
    expect(onTornFrame).not.toHaveBeenCalled();
  });

  it('rotates under concurrent appends without letting a file grow past maxFileBytes', async () => {
    const spool = await open({ maxFileBytes: 300 });
    const groups = Array.from({ length: 30 }, (_, i) => recs(i * 3, 3));
    await Promise.all(groups.map((g) => spool.append(g)));
    const files = await spoolFiles();
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect((await stat(join(dir, f))).size).toBeLessThanOrEqual(300);
    expect((await drain(spool)).ids).toEqual(groups.flatMap(idsOf));
  });

  it('awaits every batch, the last one included, before deleting the file', async () => {
    const spool = await open();
    await spool.append(recs(0, 5));
    const file = await onlyFile();
    const done: string[] = [];
    const count = await spool.replay(async (batch) => {
      expect(existsSync(file)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(existsSync(file)).toBe(true);
      for (const r of batch) done.push((r as Rec).id);
    }, 2);
    expect(count).toBe(5);
    expect(done).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(existsSync(file)).toBe(false);
  });

  it('keeps records appended during a slow replay for the next replay', async () => {
    const spool = await open();
    await spool.append(recs(0, 3));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandle = new Promise<void>((resolve) => (entered = resolve));
    const seen: string[] = [];
    const replaying = spool.replay(async (batch) => {
      entered();
      await gate;
      for (const r of batch) seen.push((r as Rec).id);
    });
    await inHandle;
    await spool.append(recs(3, 2));
    await spool.append(recs(5, 1));
    release();
    expect(await replaying).toBe(3);
    expect(seen).toEqual(['r0', 'r1', 'r2']);
    expect(spool.hasPending()).toBe(true);
    const next = await drain(spool);
    expect(next.ids).toEqual(['r3', 'r4', 'r5']);
    expect(spool.hasPending()).toBe(false);
  });

  it('cuts a half-written last frame at open, reports it and keeps the frames before it', async () => {
    const first = await open();
    await first.append(recs(0, 3));
    await first.close();
    const file = await onlyFile();
    const goodSize = (await stat(file)).size;
    const half = Buffer.from(JSON.stringify({ id: 'torn', body: 'never finished' }));
    const header = Buffer.alloc(8);
    header.writeUInt32BE(half.length, 0);
    header.writeUInt32BE(crc32(half), 4);
    await appendFile(file, Buffer.concat([header, half.subarray(0, 10)]));

    const onTornFrame = vi.fn();
    const spool = await open({ onTornFrame });
    expect(onTornFrame).toHaveBeenCalledExactlyOnceWith(file, goodSize);
    expect((await stat(file)).size).toBe(goodSize);
    expect(spool.pendingBytes()).toBe(goodSize);
    expect((await drain(spool)).ids).toEqual(['r0', 'r1', 'r2']);
  });

  it('cuts a last frame whose file was truncated by a few bytes', async () => {
    const first = await open();
    const records = recs(0, 3);
    await first.append(records);
    await first.close();
    const file = await onlyFile();
    await truncate(file, (await stat(file)).size - 3);

    const onTornFrame = vi.fn();
    const spool = await open({ onTornFrame });
    expect(onTornFrame).toHaveBeenCalledExactlyOnceWith(file, frameBytes(records.slice(0, 2)));
    expect((await drain(spool)).ids).toEqual(['r0', 'r1']);
  });

  it('detects a torn frame during replay as well', async () => {
    const onTornFrame = vi.fn();
    const spool = await open({ onTornFrame });
    const records = recs(0, 2);
    await spool.append(records);
    await appendFile(await onlyFile(), Buffer.from([0, 0, 0, 50, 1, 2]));
    expect((await drain(spool)).ids).toEqual(['r0', 'r1']);
    expect(onTornFrame).toHaveBeenCalledWith(expect.stringContaining(dir), frameBytes(records));
    expect(await spoolFiles()).toEqual([]);
  });

  it('detects CRC corruption of the last frame even when the JSON still parses', async () => {
    const first = await open();
    const records = recs(0, 3);
    await first.append(records);
    await first.close();
    const file = await onlyFile();
    const bytes = await readFile(file);
    const at = bytes.lastIndexOf(Buffer.from('"r2"'));
    bytes[at + 2] = '9'.charCodeAt(0); // "r2" -> "r9": still valid JSON, wrong CRC
    await writeFile(file, bytes);

    const onTornFrame = vi.fn();
    const spool = await open({ onTornFrame });
    expect(onTornFrame).toHaveBeenCalledExactlyOnceWith(file, frameBytes(records.slice(0, 2)));
    expect((await drain(spool)).ids).toEqual(['r0', 'r1']);
  });

  it('stops reading a file at a corrupt middle frame and cuts it there', async () => {
    const first = await open();
    const records = recs(0, 4);
    await first.append(records);
    await first.close();
    const file = await onlyFile();
    const bytes = await readFile(file);
    const second = frameBytes(records.slice(0, 1));
    bytes[second + 5] = (bytes[second + 5] ?? 0) ^ 0xff; // flip a CRC byte of frame 2
    await writeFile(file, bytes);

    const onTornFrame = vi.fn();
    const spool = await open({ onTornFrame });
    expect(onTornFrame).toHaveBeenCalledExactlyOnceWith(file, second);
    expect((await stat(file)).size).toBe(second);
    expect((await drain(spool)).ids).toEqual(['r0']);
  });

  it('keeps the file when handle throws, rethrows, and sends the records again next time', async () => {
    const spool = await open();
    await spool.append(recs(0, 5));
    const file = await onlyFile();
    const failure = new Error('database down');
    let calls = 0;
    await expect(
      spool.replay(async () => {
        calls += 1;
        if (calls === 2) throw failure;
      }, 2),
    ).rejects.toBe(failure);
    expect(existsSync(file)).toBe(true);
    expect(spool.hasPending()).toBe(true);
    const again = await drain(spool, 2);
    expect(again.ids).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(again.count).toBe(5);
    expect(existsSync(file)).toBe(false);
  });

  it('tracks hasPending and pendingBytes across append, replay and reopen', async () => {
    const spool = await open();
    expect(spool.hasPending()).toBe(false);
    expect(spool.pendingBytes()).toBe(0);
    const a = recs(0, 2);
    const b = recs(2, 3, 'longer body text');
    await spool.append(a);
    await spool.append(b);
    expect(spool.hasPending()).toBe(true);
    expect(spool.pendingBytes()).toBe(frameBytes([...a, ...b]));
    expect(spool.pendingBytes()).toBe((await stat(await onlyFile())).size);
    await spool.close();

    const reopened = await open();
    expect(reopened.hasPending()).toBe(true);
    expect(reopened.pendingBytes()).toBe(frameBytes([...a, ...b]));
    await drain(reopened);
    expect(reopened.hasPending()).toBe(false);
    expect(reopened.pendingBytes()).toBe(0);
  });

  it('replays files left by a crashed process before newer ones, even if the clock went back', async () => {
    const crashed = await open({ maxFileBytes: 100 });
    await crashed.append(recs(0, 2));
    await crashed.append(recs(2, 2)); // not closed: the process "crashed"
    vi.spyOn(Date, 'now').mockReturnValue(1000);
    const spool = await open();
    expect(spool.hasPending()).toBe(true);
    await spool.append(recs(4, 1));
    expect((await drain(spool)).ids).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(await spoolFiles()).toEqual([]);
  });

  it('removes empty spool files at open', async () => {
    await writeFile(join(dir, spoolFileName(1, 0)), Buffer.alloc(0));
    const spool = await open();
    expect(spool.hasPending()).toBe(false);
    expect(await spoolFiles()).toEqual([]);
  });

  it.skipIf(!existsSync('/dev/full'))('rejects an append with ENOSPC and recovers once space is back', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    const onTornFrame = vi.fn();
    const spool = await open({ onTornFrame });
    await symlink('/dev/full', join(dir, spoolFileName(1_700_000_000_000, 0)));
    await expect(spool.append(recs(0, 3))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(spool.hasPending()).toBe(false);
    expect(spool.pendingBytes()).toBe(0);

    await spool.append(recs(3, 1));
    expect(spool.hasPending()).toBe(true);
    expect((await drain(spool)).ids).toEqual(['r3']);
    expect(onTornFrame).not.toHaveBeenCalled();
  });

  it('rolls back a partly written append so no half frame is left behind', async () => {
    const onTornFrame = vi.fn();
    const spool = await open({ onTornFrame });
    await spool.append(recs(0, 2));
    const probe = await openFile(join(dir, 'probe.tmp'), 'w');
    const proto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const realWrite = proto.write;
    vi.spyOn(proto, 'write').mockImplementationOnce(async function (this: unknown, ...args: unknown[]) {
      const [buf, offset, length] = args as [Buffer, number, number];
      await realWrite.call(this, buf, offset, Math.floor(length / 2));
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    });
    await expect(spool.append(recs(2, 3))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(spool.pendingBytes()).toBe(frameBytes(recs(0, 2)));
    const [first] = await spoolFiles();
    expect((await stat(join(dir, first ?? ''))).size).toBe(frameBytes(recs(0, 2)));

    await spool.append(recs(5, 1));
    expect((await drain(spool)).ids).toEqual(['r0', 'r1', 'r5']);
    expect(onTornFrame).not.toHaveBeenCalled();
  });

  it('rejects appends after close', async () => {
    const spool = await open();
    await spool.close();
    await expect(spool.append(recs(0, 1))).rejects.toThrow(/closed/);
  });
});
