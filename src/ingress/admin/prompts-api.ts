import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { Db } from '../../db/index.ts';
import { readJsonBody } from '../json-body.ts';
import { isUuid } from '../../core/ids.ts';
import type { LivePrompts } from '../../hotswap/index.ts';
import { createPromptVersion, listPromptVersions, movePromptPointer, type PointerMove, promptAuditTrail } from '../../prompts/index.ts';
import { noQuery, parseQuery } from './query.ts';
import { storedObject, time, uuid } from './wire-schemas.ts';
import { toWire } from './wire.ts';

export const newVersionBody = z
  .object({
    /** The system prompt with the observed template's {{slot}} placeholders. */
    template: z.string().min(1).max(100_000),
    model: z.string().min(1).optional(),
    few_shot: z.array(z.object({ user: z.string().min(1), assistant: z.string().min(1) }).strict()).max(20).optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();

export const canaryBody = z.object({ share: z.number().gt(0).lte(1).optional() }).strict();
export const activateBody = z.strictObject({});
export const rollbackBody = z.object({ reason: z.string().max(2000).optional() }).strict();

export const promptVersionSchema = z.object({
  id: uuid,
  component: z.string(),
  version: z.number().int(),
  /** The system prompt with {{slot}} placeholders. */
  template: z.string(),
  slots: z.array(z.string()),
  model: z.string().nullable(),
  few_shot: z.array(z.object({ user: z.string(), assistant: z.string() })),
  /** observed | manual | optimizer | retrain, with the run, pattern or recommendation it came from. */
  origin: z.object({ source: z.string(), run_id: uuid.optional(), pattern_id: uuid.optional(), recommendation_id: uuid.optional(), note: z.string().optional() }),
  status: z.string(),
  created_at: time,
});

const pointers = { component: z.string(), active_version_id: uuid.nullable(), canary_version_id: uuid.nullable(), canary_share: z.number() };

export const pointerMoveResponse = z.object({ ...pointers, version: promptVersionSchema });

export const componentPromptsResponse = z.object({
  ...pointers,
  versions: z.array(promptVersionSchema),
  audit: z.array(z.object({ id: uuid, component: z.string(), version_id: uuid.nullable(), action: z.string(), actor: z.string(), detail: storedObject, at: time })),
});

/**
 * POST /api/prompts/:id/canary ({ share }), /activate and /rollback ({ reason }): pointer moves, in one
 * transaction with the audit trail, announced to every gateway.
 */
export function promptPointersApi(db: Db, prompts: LivePrompts): Hono {
  const app = new Hono();
  const move = (action: PointerMove['action']) => async (c: Context) => {
    parseQuery(noQuery, c.req.query());
    const id = c.req.param('id') ?? '';
    if (!isUuid(id)) throw new AppError('invalid_request', 'id: must be a prompt version id', { param: 'id' });
    const m: PointerMove =
      action === 'canary'
        ? { action, ...(await readJsonBody(c, canaryBody, { emptyIsObject: true })) }
        : action === 'rollback'
          ? { action, ...(await readJsonBody(c, rollbackBody, { emptyIsObject: true })) }
          : { action, ...(await readJsonBody(c, activateBody, { emptyIsObject: true })) };
    const result = await movePromptPointer(db, id, m, 'admin');
    await prompts.changed();
    const body: z.input<typeof pointerMoveResponse> = toWire(result);
    return c.json(body);
  };
  app.post('/:id/canary', move('canary'));
  app.post('/:id/activate', move('activate'));
  app.post('/:id/rollback', move('rollback'));
  return app;
}

/** GET and POST /api/components/:component/prompts: a component's prompt versions, pointers and audit trail. */
export function promptsApi(db: Db): Hono {
  const app = new Hono();
  app.use(
    '*',
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new AppError('body_too_large', 'prompt version bodies are limited to 1 MiB');
      },
    }),
  );
  app.get('/:component/prompts', async (c) => {
    parseQuery(noQuery, c.req.query());
    const component = c.req.param('component');
    const view = await listPromptVersions(db, component);
    const body: z.input<typeof componentPromptsResponse> = toWire({ ...view, audit: await promptAuditTrail(db, component) });
    return c.json(body);
  });
  app.post('/:component/prompts', async (c) => {
    parseQuery(noQuery, c.req.query());
    const b = await readJsonBody(c, newVersionBody);
    const row = await createPromptVersion(
      db,
      c.req.param('component'),
      { template: b.template, ...(b.model ? { model: b.model } : {}), ...(b.few_shot ? { fewShot: b.few_shot } : {}), ...(b.note ? { note: b.note } : {}) },
      'admin',
    );
    const body: z.input<typeof promptVersionSchema> = toWire(row);
    return c.json(body, 201);
  });
  return app;
}
