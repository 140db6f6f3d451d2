import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The dataset's files, in the order their contents are hashed together. */
export const datasetFileNames = ['train.jsonl', 'validation.jsonl', 'gate.jsonl', 'preference.jsonl'] as const;
export type DatasetFileName = (typeof datasetFileNames)[number];

export interface FileEntry {
  rows: number;
  bytes: number;
  sha256: string;
}

export interface EncodedFiles {
  contents: Record<DatasetFileName, Buffer>;
  files: Record<DatasetFileName, FileEntry>;
  /** sha256 over the files' contents, in datasetFileNames order. */
  sha256: string;
}

const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Rows as JSON Lines (one compact object a line, each ended by a newline), with each file's size and hash. */
export function encodeFiles(rows: Record<DatasetFileName, readonly unknown[]>): EncodedFiles {
  const all = createHash('sha256');
  const contents = {} as Record<DatasetFileName, Buffer>;
  const files = {} as Record<DatasetFileName, FileEntry>;
  for (const name of datasetFileNames) {
    const list = rows[name];
    const buf = Buffer.from(list.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
    contents[name] = buf;
    files[name] = { rows: list.length, bytes: buf.length, sha256: sha256Hex(buf) };
    all.update(buf);
  }
  return { contents, files, sha256: all.digest('hex') };
}

/**
 * Writes the files into `dir` all at once: into a temporary sibling first, then one rename, so a
 * reader (or a crashed build) never sees half a dataset.
 */
export async function writeDirAtomically(dir: string, files: Readonly<Record<string, Buffer | string>>): Promise<void> {
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.tmp-${path.basename(dir)}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(tmp, name), content, { flush: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
