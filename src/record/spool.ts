/**
 * A durable append-only spool for records the database cannot take right now. Records are written
 * as frames (4-byte big-endian payload length, 4-byte CRC32 of the payload, UTF-8 JSON payload)
 * to files named so that lexical order is creation order; replay sends them on, oldest file first,
 * and deletes a file only once every one of its records was handled.
 */
import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/index.ts';
import { encodeFrames, readFrames } from './spool-frames.ts';

export interface Spool {
  /** Append records as one write (one frame per record) and fsync (fdatasync) before resolving. Throws the fs error (e.g. ENOSPC) if it cannot be written; a failed append must not leave a half frame that breaks later reads (it will be detected and cut as a torn frame anyway). */
  append(records: readonly object[]): Promise<void>;
  /** Replay every spooled record, oldest file first, in batches of at most batchSize, calling handle(batch) and awaiting it. A file is deleted only after all its batches were handled. If handle throws, replay stops, the file stays (a later replay re-sends; the consumer is idempotent by id), and the error is rethrown. Appends that happen during a replay go to a new file and are not lost. Returns the number of records replayed. */
  replay(handle: (batch: unknown[]) => Promise<void>, batchSize?: number): Promise<number>;
  /** True when any spool file holds at least one frame. Cheap (kept in memory, initialised from disk at open). */
  hasPending(): boolean;
  /** Bytes currently spooled (sum of file sizes). */
  pendingBytes(): number;
  close(): Promise<void>;
}

export interface SpoolOptions {
  dir: string;
  /** Rotate to a new file once the current one would grow past this. Default 64 MiB. */
  maxFileBytes?: number;
  /** Called with the file's path and the offset it was truncated at when a torn or corrupt frame is cut. */
  onTornFrame?: (file: string, offset: number) => void;
}

const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
const DEFAULT_BATCH_SIZE = 500;
const FILE_PATTERN = /^spool-(\d{15})-(\d{6})\.fpl$/;

/** The name of the spool file created at `createdMs` with sequence number `seq`; lexical order is creation order. */
export function spoolFileName(createdMs: number, seq: number): string {
  return `spool-${String(createdMs).padStart(15, '0')}-${String(seq).padStart(6, '0')}.fpl`;
}

interface SpoolFile {
  bytes: number;
  frames: number;
}

interface CurrentFile {
  name: string;
  fh: FileHandle;
}

/** Runs tasks one at a time, in call order; a failed task does not stop the ones after it. */
function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

export async function openSpool(opts: SpoolOptions): Promise<Spool> {
  await mkdir(opts.dir, { recursive: true });
  const spool = new FileSpool(opts.dir, opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, opts.onTornFrame);
  await spool.recover();
  return spool;
}

class FileSpool implements Spool {
  /** Every spool file with its size and good-frame count, the one being written included. */
  private readonly files = new Map<string, SpoolFile>();
  private readonly serialWrite = createSerialQueue();
  private readonly serialReplay = createSerialQueue();
  private current: CurrentFile | null = null;
  private closed = false;
  private lastMs = 0;
  private lastSeq = -1;

  constructor(
    private readonly dir: string,
    private readonly maxFileBytes: number,
    private readonly onTornFrame: ((file: string, offset: number) => void) | undefined,
  ) {}

  /** Scans the files left by an earlier run: cuts torn tails, drops empty files, counts frames. */
  async recover(): Promise<void> {
    const names = (await readdir(this.dir)).filter((name) => FILE_PATTERN.test(name)).sort();
    for (const name of names) {
      const file = await this.scanFile(name);
      if (!file) continue;
      if (file.frames === 0) {
        await unlink(join(this.dir, name)).catch(() => undefined);
        continue;
      }
      this.files.set(name, file);
    }
    const newest = FILE_PATTERN.exec(names[names.length - 1] ?? '');
    if (newest) {
      this.lastMs = Number(newest[1]);
      this.lastSeq = Number(newest[2]);
    }
  }

  async append(records: readonly object[]): Promise<void> {
    this.assertOpen();
    if (records.length === 0) return;
    const buf = encodeFrames(records);
    await this.serialWrite(() => this.writeFrames(buf, records.length));
  }

  async replay(handle: (batch: unknown[]) => Promise<void>, batchSize = DEFAULT_BATCH_SIZE): Promise<number> {
    this.assertOpen();
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new AppError('internal', 'batchSize must be a positive integer');
    return this.serialReplay(async () => {
      // Seal the file being written, so appends from now on go to a new file outside this replay.
      const names = await this.serialWrite(async () => {
        await this.sealCurrent();
        return [...this.files.keys()].sort();
      });
      let total = 0;
      for (const name of names) total += await this.replayFile(name, handle, batchSize);
      return total;
    });
  }

  hasPending(): boolean {
    for (const file of this.files.values()) if (file.frames > 0) return true;
    return false;
  }

  pendingBytes(): number {
    let bytes = 0;
    for (const file of this.files.values()) bytes += file.bytes;
    return bytes;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.serialWrite(() => this.sealCurrent());
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('internal', 'The spool is closed');
  }

  private async cutTornFrame(fh: FileHandle, name: string, offset: number): Promise<void> {
    await fh.truncate(offset);
    await fh.datasync();
    this.onTornFrame?.(join(this.dir, name), offset);
  }

  /** Counts a file's good frames, cutting a torn or corrupt tail; null when the file is gone. */
  private async scanFile(name: string): Promise<SpoolFile | null> {
    const fh = await openIfExists(join(this.dir, name), 'r+');
    if (!fh) return null;
    try {
      const { size } = await fh.stat();
      let frames = 0;
      for await (const frame of readFrames(fh, size)) {
        if (!frame.ok) {
          await this.cutTornFrame(fh, name, frame.offset);
          return { bytes: frame.offset, frames };
        }
        frames += 1;
      }
      return { bytes: size, frames };
    } finally {
      await fh.close();
    }
  }

  private nextFileName(): string {
    const now = Math.max(Date.now(), this.lastMs);
    this.lastSeq = now === this.lastMs ? this.lastSeq + 1 : 0;
    this.lastMs = now;
    return spoolFileName(now, this.lastSeq);
  }

  private async startFile(): Promise<CurrentFile> {
    const name = this.nextFileName();
    // 'a' rather than 'wx': names are never reused, and a test points one at /dev/full by symlink.
    const fh = await open(join(this.dir, name), 'a');
    this.files.set(name, { bytes: 0, frames: 0 });
    await syncDir(this.dir);
    return { name, fh };
  }

  /** Closes the file being written; the next append starts a new one. An empty file is removed. */
  private async sealCurrent(): Promise<void> {
    if (!this.current) return;
    const { name, fh } = this.current;
    this.current = null;
    await fh.close();
    if (this.files.get(name)?.frames === 0) {
      this.files.delete(name);
      await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }

  private async writeFrames(buf: Buffer, count: number): Promise<void> {
    const cur = this.current ? this.files.get(this.current.name) : undefined;
    if (cur && cur.bytes > 0 && cur.bytes + buf.length > this.maxFileBytes) await this.sealCurrent();
    this.current ??= await this.startFile();
    const target = this.current;
    const file = this.files.get(target.name) ?? { bytes: 0, frames: 0 };
    this.files.set(target.name, file);
    try {
      let written = 0;
      while (written < buf.length) {
        const { bytesWritten } = await target.fh.write(buf, written, buf.length - written);
        written += bytesWritten;
      }
      await target.fh.datasync();
    } catch (err) {
      await this.abandonWrite(target, file);
      throw err;
    }
    file.bytes += buf.length;
    file.frames += count;
  }

  /** Undoes a failed write as far as it can, and seals the file so nothing lands after a half frame. */
  private async abandonWrite(target: CurrentFile, file: SpoolFile): Promise<void> {
    try {
      await target.fh.truncate(file.bytes);
    } catch {
      const size = await target.fh.stat().then((s) => s.size, () => file.bytes);
      file.bytes = Math.max(file.bytes, size); // a torn frame stays; the next scan or replay cuts it
    }
    await this.sealCurrent().catch(() => undefined);
  }

  private async replayFile(name: string, handle: (batch: unknown[]) => Promise<void>, batchSize: number): Promise<number> {
    const path = join(this.dir, name);
    const fh = await openIfExists(path, 'r+');
    if (!fh) {
      this.files.delete(name);
      return 0;
    }
    let sent = 0;
    try {
      const { size } = await fh.stat();
      let batch: unknown[] = [];
      for await (const frame of readFrames(fh, size)) {
        if (!frame.ok) {
          await this.cutTornFrame(fh, name, frame.offset);
          this.files.set(name, { bytes: frame.offset, frames: sent + batch.length });
          break;
        }
        batch.push(frame.value);
        if (batch.length < batchSize) continue;
        await handle(batch);
        sent += batch.length;
        batch = [];
      }
      if (batch.length > 0) await handle(batch);
      sent += batch.length;
    } finally {
      await fh.close();
    }
    await unlink(path);
    this.files.delete(name);
    return sent;
  }
}

async function openIfExists(path: string, flags: string): Promise<FileHandle | null> {
  try {
    return await open(path, flags);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Makes a newly created file's directory entry durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
