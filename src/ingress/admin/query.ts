import type { z } from 'zod';
import { AppError } from '../../core/errors.ts';

/** Validates a query string with zod; a 400 naming the first bad field otherwise. */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.infer<S> {
  const result = schema.safeParse(query);
  if (!result.success) {
    const issue = result.error.issues[0];
    const param = issue?.path.map(String).join('.') || undefined;
    throw new AppError('invalid_request', `${param ?? 'query'}: ${issue?.message ?? 'invalid'}`, param ? { param } : {});
  }
  return result.data;
}
