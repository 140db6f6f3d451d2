import { randomBytes } from 'node:crypto';

/**
 * Data handed to a model as DATA, never as instructions (judge, diagnosis, summaries): a block between
 * delimiters unique to the request, whose body is JSON with `<`, `>`, `&`, U+2028 and U+2029 written as
 * \uXXXX escapes. It stays valid JSON that decodes to the same content, but holds no `<` at all, so
 * nothing in it can spell a delimiter (this request's or any other).
 */
export function encodeDataJson(content: unknown): string {
  return JSON.stringify(content, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The opening and closing delimiters of a data block of one request. */
export function blockDelimiters(tag: string, nonce: string): { open: string; close: string } {
  return { open: `<${tag} id="${nonce}">`, close: `</${tag} id="${nonce}">` };
}

/** A fresh nonce for a request's delimiters. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}
