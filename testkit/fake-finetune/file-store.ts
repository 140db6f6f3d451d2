/** Uploaded files, kept in memory with their content. */
import { randomBytes } from 'node:crypto';
import type { FileObject } from 'openai/resources/files';
import type { FakeFileRecord } from './types.ts';

export const filePurposes = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;

export function fakeId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export interface FileStore {
  add(filename: string, purpose: FileObject['purpose'], content: string): FileObject;
  get(id: string): FakeFileRecord | undefined;
  all(): FakeFileRecord[];
}

export function createFileStore(): FileStore {
  const files = new Map<string, FakeFileRecord>();
  return {
    add(filename, purpose, content) {
      const file: FileObject = {
        object: 'file',
        id: fakeId('file-'),
        purpose,
        filename,
        bytes: Buffer.byteLength(content),
        created_at: nowSeconds(),
        status: 'processed',
      };
      files.set(file.id, { file, content });
      return file;
    },
    get: (id) => files.get(id),
    all: () => [...files.values()],
  };
}
