import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { AppError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import { finetuneDatasets, type Db, type DatasetRow } from '../../db/index.ts';
import { z } from 'zod';
import { noQuery, parseQuery } from './query.ts';
import { datasetFiles } from './recommendation-schemas.ts';
import { storedObject, time, uuid } from './wire-schemas.ts';
import { toWire } from './wire.ts';

export const datasetResponse = z.object({
  id: uuid,
  recommendation_id: uuid,
  component: z.string(),
  /** sha256 over the files' contents. */
  sha256: z.string(),
  /** The directory holding the files, on the gateway's machine. */
  dir: z.string(),
  files: datasetFiles,
  /** Counts by source and split, redactions, duplicates dropped. */
  counts: storedObject,
  manifest: z.record(z.string(), z.unknown()),
  created_at: time,
});

async function datasetOf(db: Db, id: string): Promise<DatasetRow> {
  if (!isUuid(id)) throw new AppError('invalid_request', 'id: must be a dataset id', { param: 'id' });
  const [row] = await db.select().from(finetuneDatasets).where(eq(finetuneDatasets.id, id));
  if (!row) throw new AppError('not_found', `no dataset ${id}`, { param: 'id' });
  return row;
}

/**
 * GET /api/datasets/:id (the dataset: files, counts, manifest) and GET /api/datasets/:id/files/:name
 * (one of its files, streamed as an attachment). Only names in the dataset's files map are served,
 * from the dataset's own directory.
 */
export function datasetsApi(db: Db): Hono {
  const app = new Hono();
  app.get('/:id', async (c) => {
    parseQuery(noQuery, c.req.query());
    const body: z.input<typeof datasetResponse> = toWire(await datasetOf(db, c.req.param('id')));
    return c.json(body);
  });

  app.get('/:id/files/:name', async (c) => {
    parseQuery(noQuery, c.req.query());
    const row = await datasetOf(db, c.req.param('id'));
    const name = c.req.param('name');
    if (!Object.hasOwn(row.files, name) || path.basename(name) !== name) throw new AppError('not_found', `dataset ${row.id} has no file ${name}`, { param: 'name' });
    const file = path.join(row.dir, name);
    const size = await stat(file).then(
      (s) => (s.isFile() ? s.size : null),
      () => null,
    );
    if (size === null) throw new AppError('not_found', `file ${name} of dataset ${row.id} is missing from its directory`, { param: 'name' });
    const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
    return c.body(body, 200, {
      'content-type': 'application/jsonl',
      'content-length': String(size),
      'content-disposition': `attachment; filename="${row.id}-${name}"`,
    });
  });
  return app;
}
