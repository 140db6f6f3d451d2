import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError } from '../core/errors.ts';

/**
 * A request body the gateway owns (feedback, admin writes), parsed and validated: 400 `invalid_json`
 * when it is not JSON, 400 naming the first bad field otherwise. An empty body is `{}` when allowed.
 */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S, opts: { emptyIsObject?: boolean } = {}): Promise<z.infer<S>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (!(opts.emptyIsObject && text.trim() === '')) {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new AppError('invalid_json', 'request body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.map(String).join('.') || 'body';
    throw new AppError('invalid_request', `${param}: ${issue?.message ?? 'invalid'}`, { param });
  }
  return parsed.data;
}
