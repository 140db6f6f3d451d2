import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { Db } from '../../db/index.ts';
import { readJsonBody } from '../json-body.ts';
import { isUuid } from '../../core/ids.ts';
import type { LivePrompts } from '../../hotswap/index.ts';
import { createPromptVersion, listPromptVersions, movePromptPointer, type PointerMove, promptAuditTrail } from '../../prompts/index.ts';

const newVersionBody = z
  .object({
    /** The system prompt with the observed template's {{slot}} placeholders. */
    template: z.string().min(1).max(100_000),
    model: z.string().min(1).optional(),
    few_shot: z.array(z.object({ user: z.string().min(1), assistant: z.string().min(1) }).strict()).max(20).optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();

const canaryBody = z.object({ share: z.number().gt(0).lte(1).optional() }).strict();
const rollbackBody = z.object({ reason: z.string().max(2000).optional() }).strict();

/**
 * POST /api/prompts/:id/canary ({ share }), /activate and /rollback ({ reason }): pointer moves, in one
 * transaction with the audit trail, announced to every gateway.
 */
export function promptPointersApi(db: Db, prompts: LivePrompts): Hono {
  const app = new Hono();
  const move = (action: PointerMove['action']) => async (c: Context) => {
    const id = c.req.param('id') ?? '';
    if (!isUuid(id)) throw new AppError('invalid_request', 'id: must be a prompt version id', { param: 'id' });
    const m: PointerMove =
      action === 'canary'
        ? { action, ...(await readJsonBody(c, canaryBody, { emptyIsObject: true })) }
        : action === 'rollback'
          ? { action, ...(await readJsonBody(c, rollbackBody, { emptyIsObject: true })) }
          : { action };
    const result = await movePromptPointer(db, id, m, 'admin');
    await prompts.changed();
    return c.json(result);
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
    const component = c.req.param('component');
    const view = await listPromptVersions(db, component);
    return c.json({ ...view, audit: await promptAuditTrail(db, component) });
  });
  app.post('/:component/prompts', async (c) => {
    const b = await readJsonBody(c, newVersionBody);
    const row = await createPromptVersion(
      db,
      c.req.param('component'),
      { template: b.template, ...(b.model ? { model: b.model } : {}), ...(b.few_shot ? { fewShot: b.few_shot } : {}), ...(b.note ? { note: b.note } : {}) },
      'admin',
    );
    return c.json(row, 201);
  });
  return app;
}
