import { Hono } from 'hono';
import { z } from 'zod';
import { callDetailResponse, callListQuery, callListResponse } from './calls-api.ts';
import { componentListResponse } from './components-api.ts';
import { componentTrafficQuery, componentTrafficResponse } from './component-traffic-api.ts';
import { datasetResponse } from './datasets-api.ts';
import { failureListQuery, failureListResponse } from './failures-api.ts';
import { optimizationDetailResponse, optimizationListQuery, optimizationListResponse, optimizeBody, optimizeResponse } from './optimizations-api.ts';
import { patternDetailResponse, patternListQuery, patternListResponse } from './patterns-api.ts';
import { activateBody, canaryBody, componentPromptsResponse, newVersionBody, pointerMoveResponse, promptVersionSchema, rollbackBody } from './prompts-api.ts';
import { recommendationDetailResponse, recommendationListResponse, recommendationSchema } from './recommendation-schemas.ts';
import { reasonBody, recommendationListQuery } from './recommendations-api.ts';
import { noQuery, parseQuery } from './query.ts';

/** One admin route as the OpenAPI document describes it; the schemas are the ones its handler validates with and answers by. */
export interface AdminRoute {
  method: 'get' | 'post';
  /** OpenAPI form: /api/patterns/{id}. */
  path: string;
  summary: string;
  query: z.ZodType;
  body?: z.ZodType;
  status: number;
  /** A JSON schema, or null for a non-JSON answer (a file). */
  response: z.ZodType | null;
}

const id = (what: string) => `${what} id (UUID)`;

export const adminRoutes: AdminRoute[] = [
  { method: 'get', path: '/api/calls', summary: 'Calls, newest first; filters: component, model, status, session, user, time', query: callListQuery, status: 200, response: callListResponse },
  { method: 'get', path: '/api/calls/{id}', summary: `One call with its request, response, evaluation, failures, verdicts and feedback (${id('call')})`, query: noQuery, status: 200, response: callDetailResponse },
  { method: 'get', path: '/api/failures', summary: 'Failures, newest first; filters: component, kind, rule, call, time', query: failureListQuery, status: 200, response: failureListResponse },
  { method: 'get', path: '/api/patterns', summary: 'Patterns, largest first (sort); filters: component, status, diagnosis, remedy, kind, systematic', query: patternListQuery, status: 200, response: patternListResponse },
  { method: 'get', path: '/api/patterns/{id}', summary: 'One pattern with examples, timeline and events', query: noQuery, status: 200, response: patternDetailResponse },
  { method: 'post', path: '/api/patterns/{id}/optimize', summary: 'Start a prompt optimization run for a pattern', query: noQuery, body: optimizeBody, status: 202, response: optimizeResponse },
  { method: 'get', path: '/api/optimizations', summary: 'Optimization runs, newest first; filters: component, pattern, status, trigger, outcome', query: optimizationListQuery, status: 200, response: optimizationListResponse },
  { method: 'get', path: '/api/optimizations/{id}', summary: 'One run: candidates, scores, the gate, the winner, cost, time', query: noQuery, status: 200, response: optimizationDetailResponse },
  { method: 'get', path: '/api/components', summary: 'Declared and observed components with traffic and failure counts', query: noQuery, status: 200, response: componentListResponse },
  { method: 'get', path: '/api/components/{component}/traffic', summary: "A component's calls and failed calls per hour (24 h) or per day (7 days)", query: componentTrafficQuery, status: 200, response: componentTrafficResponse },
  { method: 'get', path: '/api/components/{component}/prompts', summary: "A component's prompt versions, pointers and audit trail", query: noQuery, status: 200, response: componentPromptsResponse },
  { method: 'post', path: '/api/components/{component}/prompts', summary: 'Create a prompt version (a candidate)', query: noQuery, body: newVersionBody, status: 201, response: promptVersionSchema },
  { method: 'post', path: '/api/prompts/{id}/canary', summary: 'Put a prompt version on canary', query: noQuery, body: canaryBody, status: 200, response: pointerMoveResponse },
  { method: 'post', path: '/api/prompts/{id}/activate', summary: 'Promote a prompt version', query: noQuery, body: activateBody, status: 200, response: pointerMoveResponse },
  { method: 'post', path: '/api/prompts/{id}/rollback', summary: 'Roll a prompt version back', query: noQuery, body: rollbackBody, status: 200, response: pointerMoveResponse },
  { method: 'get', path: '/api/recommendations', summary: 'Fine-tuning recommendations, newest first; filters: component, status', query: recommendationListQuery, status: 200, response: recommendationListResponse },
  { method: 'get', path: '/api/recommendations/{id}', summary: 'One recommendation with its events, dataset and training job', query: noQuery, status: 200, response: recommendationDetailResponse },
  ...(['approve', 'dismiss', 'cancel'] as const).map(
    (action): AdminRoute => ({ method: 'post', path: `/api/recommendations/{id}/${action}`, summary: `${action[0]!.toUpperCase()}${action.slice(1)} a recommendation`, query: noQuery, body: reasonBody, status: 200, response: recommendationSchema }),
  ),
  { method: 'get', path: '/api/datasets/{id}', summary: 'A fine-tuning dataset: files, counts, manifest', query: noQuery, status: 200, response: datasetResponse },
  { method: 'get', path: '/api/datasets/{id}/files/{name}', summary: "One of a dataset's files (JSON Lines, as an attachment)", query: noQuery, status: 200, response: null },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', query: noQuery, status: 200, response: null },
];

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without its $schema line. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const errorSchema: JsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { message: { type: 'string' }, type: { type: 'string' }, param: { type: ['string', 'null'] }, code: { type: ['string', 'null'] } },
      required: ['message', 'type'],
    },
  },
  required: ['error'],
};

function operation(r: AdminRoute): JsonSchema {
  const query = jsonSchema(r.query, 'input') as { properties?: Record<string, JsonSchema & { description?: string }>; required?: string[] };
  const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const queryParams = Object.entries(query.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: query.required?.includes(name) ?? false,
    ...(schema.description ? { description: schema.description } : {}),
    schema,
  }));
  const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
  const content = r.response ? json(jsonSchema(r.response, 'output')) : r.path.endsWith('openapi.json') ? json({ type: 'object' }) : { 'application/jsonl': { schema: { type: 'string' } } };
  return {
    summary: r.summary,
    parameters: [...pathParams, ...queryParams],
    ...(r.body ? { requestBody: { required: false, content: json(jsonSchema(r.body, 'input')) } } : {}),
    responses: {
      [String(r.status)]: { description: 'OK', content },
      '400': { description: 'An invalid or unknown query parameter or body field, named in `error.param`', content: json(errorSchema) },
      '401': { description: 'Missing or wrong admin token', content: json(errorSchema) },
      '404': { description: 'Not found', content: json(errorSchema) },
    },
  };
}

/** The OpenAPI 3.1 document of the admin API, generated from the schemas the handlers use. */
export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of adminRoutes) (paths[r.path] ??= {})[r.method] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fixpoint admin API',
      version: '1',
      description: 'snake_case keys in every body and query parameter; times as ISO 8601 UTC; an unknown query parameter or body field answers 400 invalid_request naming it in error.param.',
    },
    components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'FIXPOINT_ADMIN_TOKEN (without it, loopback clients only)' } } },
    security: [{ adminToken: [] }],
    paths,
  };
}

/** GET /api/openapi.json. */
export function openApiRoute(): Hono {
  const app = new Hono();
  let doc: JsonSchema | null = null;
  app.get('/', (c) => {
    parseQuery(noQuery, c.req.query());
    doc ??= openApiDocument();
    return c.json(doc);
  });
  return app;
}
