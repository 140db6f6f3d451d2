import type { IncomingHttpHeaders } from 'node:http';

const MAX_PROPERTIES = 32;
const MAX_VALUE = 512;

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s ? s.slice(0, MAX_VALUE) : null;
}

/** Session, user and `x-fixpoint-property-<name>` metadata from the request headers (bounded). */
export function callMetadata(headers: IncomingHttpHeaders): { sessionId: string | null; userId: string | null; properties: Record<string, string> } {
  const properties: Record<string, string> = {};
  let n = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-fixpoint-property-') || value === undefined) continue;
    if (++n > MAX_PROPERTIES) break;
    properties[name.slice('x-fixpoint-property-'.length).slice(0, 64)] = (Array.isArray(value) ? value.join(',') : value).slice(0, MAX_VALUE);
  }
  return { sessionId: header(headers, 'x-fixpoint-session'), userId: header(headers, 'x-fixpoint-user'), properties };
}
