import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError } from '../core/errors.ts';

/** The first problem of a zod parse as a 400 naming its field (`param`); an unknown field is named itself. */
export function invalidRequest(error: z.ZodError, where: 'query' | 'body'): AppError {
  const issue = error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const param = [...issue.path.map(String), issue.keys[0] ?? ''].filter(Boolean).join('.');
    const also = issue.keys.length > 1 ? ` (also ${issue.keys.slice(1).join(', ')})` : '';
    return new AppError('invalid_request', `${param}: unknown ${where === 'query' ? 'query parameter' : 'field'}${also}`, { param });
  }
  const param = issue?.path.map(String).join('.') || where;
  return new AppError('invalid_request', `${param}: ${issue?.message ?? 'invalid'}`, { param });
}

/**
 * A request body the gateway owns (feedback, admin writes), parsed and validated: 400 `invalid_json`
 * when it is not JSON, 400 naming the first bad or unknown field otherwise. An empty body is `{}` when allowed.
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
  if (!parsed.success) throw invalidRequest(parsed.error, 'body');
  return parsed.data;
}
