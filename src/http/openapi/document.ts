// GET /openapi.json: the OpenAPI 3.1 document, built from the zod schemas the routes validate with (request bodies)
// and ./schemas.ts (responses) through zod 4's toJSONSchema. Provider webhook paths come from the adapters' routes.
import { z } from 'zod';
import type { ChannelAdapter } from '../../domain/channel.js';
import { TICKET_STATUSES } from '../../domain/types.js';
import { replyBody, statusBody } from '../tickets.js';
import * as schemas from './schemas.js';
import { PUBLIC_ROUTES, ROUTE_RULES } from '../access.js';

type Json = Record<string, unknown>;

const ref = (schema: z.ZodType): Json => ({ $ref: `#/components/schemas/${String((schema.meta() as { id: string }).id)}` });
const json = (schema: z.ZodType | Json, description = 'OK'): Json => ({
  description,
  content: { 'application/json': { schema: schema instanceof z.ZodType ? ref(schema) : schema } },
});
const error = (description: string): Json => json(schemas.errorSchema, description);
const bodySchema = (schema: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as Json;
  return rest;
};

const STANDARD_ERRORS = {
  '401': error('missing or invalid API token'),
  '503': error('storage unavailable or shutting down (Retry-After)'),
};
const param = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const pathParam = (name: string): Json => ({ name, in: 'path', required: true, schema: { type: 'string' } });

const FILTERS = [
  param('status', 'Ticket status', { type: 'string', enum: [...TICKET_STATUSES, 'ferme'] }),
  param('channel', 'Comma list of channel names (GET /channels)'),
  param('date_from', 'Inclusive lower bound on created_at: ISO date (UTC day) or date-time'),
  param('date_to', 'Inclusive upper bound on created_at: ISO date (whole UTC day) or date-time'),
];

function operation(summary: string, responses: Json, extra: Json = {}, auth = true): Json {
  return {
    summary,
    ...(auth ? {} : { security: [] }),
    ...extra,
    responses: { ...responses, ...(auth ? STANDARD_ERRORS : {}) },
  };
}

export function openApiDocument(adapters: readonly ChannelAdapter[], options: { metricsOnApiPort: boolean }): Json {
  const { schemas: componentSchemas } = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  });
  for (const schema of Object.values(componentSchemas)) delete (schema as Json).$schema;

  const paths: Record<string, Json> = {
    '/tickets': {
      get: operation(
        'List tickets, newest first',
        { '200': json(schemas.ticketPageSchema), '400': error('invalid filter') },
        {
          parameters: [
            ...FILTERS,
            param('limit', '1-200, default 50', { type: 'integer' }),
            param('cursor', 'next_cursor of the previous page'),
          ],
        },
      ),
    },
    '/tickets/{id}': {
      get: operation(
        'A ticket with its messages in time order',
        { '200': json(schemas.ticketWithMessagesSchema), '404': error('no such ticket') },
        { parameters: [pathParam('id')] },
      ),
    },
    '/tickets/{id}/attachments/{key}': {
      get: operation(
        'An inbound attachment, as a download',
        {
          '200': { description: 'the bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          '404': error('no such attachment'),
        },
        { parameters: [pathParam('id'), pathParam('key')] },
      ),
    },
    '/tickets/{id}/status': {
      patch: operation(
        'Close or reopen',
        { '200': json(schemas.ticketSchema), '400': error('invalid body'), '404': error('no such ticket') },
        {
          parameters: [pathParam('id')],
          requestBody: { required: true, content: { 'application/json': { schema: bodySchema(statusBody) } } },
        },
      ),
    },
    '/tickets/{id}/messages': {
      post: operation(
        'Agent reply through the ticket channel',
        {
          '201': json(schemas.messageSchema, 'queued'),
          '200': json(schemas.messageSchema, 'duplicate client_id'),
          '400': error('invalid body'),
          '404': error('no such ticket'),
          '409': error('ticket closed or channel without written replies'),
        },
        {
          parameters: [pathParam('id')],
          requestBody: { required: true, content: { 'application/json': { schema: bodySchema(replyBody) } } },
        },
      ),
    },
    '/export/csv': {
      get: operation(
        'CSV export of the filtered tickets',
        { '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, '400': error('invalid filter') },
        { parameters: [...FILTERS, param('bom', '1 adds a UTF-8 BOM')] },
      ),
    },
    '/export/csv/{ticket_id}': {
      get: operation(
        'CSV of one ticket',
        { '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, '404': error('no such ticket') },
        { parameters: [pathParam('ticket_id'), param('bom', '1 adds a UTF-8 BOM')] },
      ),
    },
    '/channels': { get: operation('Channels this server serves', { '200': json(schemas.channelsSchema) }) },
    '/stats': {
      get: operation(
        'Figures of the filtered tickets (role analyst and up)',
        { '200': json(schemas.statsSchema), '400': error('invalid filter') },
        { parameters: [...FILTERS, param('group_by', 'Series period', { type: 'string', enum: ['day', 'week'] })] },
      ),
    },
    '/webhooks/outgoing': {
      get: operation('Outgoing webhooks: configuration and queue (admin)', { '200': json(schemas.outgoingStatusSchema) }),
    },
    '/webhooks/outgoing/dead': {
      get: operation('Dead-lettered outgoing webhook deliveries (admin)', { '200': json(schemas.outgoingDeadSchema) }),
    },
    '/webhooks/outgoing/dead/{delivery_id}/retry': {
      post: operation(
        'Queue a dead delivery again, same event id (admin)',
        { '202': json(schemas.outgoingDeliverySchema, 'queued'), '404': error('no such dead delivery') },
        { parameters: [pathParam('delivery_id')] },
      ),
    },
    '/healthz': { get: operation('Liveness', { '200': json(schemas.healthSchema), '503': error('a restart is needed') }, {}, false) },
    '/readyz': { get: operation('Readiness', { '200': json(schemas.healthSchema), '503': error('not ready (Retry-After)') }, {}, false) },
    '/openapi.json': {
      get: operation(
        'This document',
        { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
        {},
        false,
      ),
    },
    '/ws': {
      get: operation(
        'WebSocket upgrade: agents (token) and web-chat visitors',
        { '101': { description: 'Switching Protocols' }, '401': error('invalid token') },
        {},
        false,
      ),
    },
    '/chat': {
      get: operation(
        'Web-chat page (embeddable)',
        { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
        {},
        false,
      ),
    },
    '/agent': {
      get: operation(
        'Agent dashboard page',
        { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
        {},
        false,
      ),
    },
    '/static/{file}': {
      get: operation(
        'Dashboard and chat assets',
        { '200': { description: 'the file' }, '404': error('no such file') },
        { parameters: [pathParam('file')] },
        false,
      ),
    },
  };
  if (options.metricsOnApiPort)
    paths['/metrics'] = {
      get: operation('Prometheus metrics (text exposition format)', {
        '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
      }),
    };
  addMatrixRoutes(paths);
  for (const adapter of adapters) {
    for (const route of adapter.routes) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      const method = route.method === 'POST' ? 'post' : 'get';
      const parameters = [...route.path.matchAll(/:(\w+)/g)].map((m) => pathParam(m[1]));
      (paths[path] ??= {})[method] = operation(
        `${adapter.name} provider webhook (verified by the provider's signature or secret, not by a bearer token)`,
        {
          '200': { description: "the provider's expected answer" },
          '403': error('verification failed'),
          '503': error('not stored: retry'),
        },
        {
          tags: ['provider webhooks'],
          ...(parameters.length ? { parameters } : {}),
          ...(method === 'post' ? { requestBody: { content: { '*/*': { schema: {} } } } } : {}),
        },
        false,
      );
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Freeda API', version: '0.1.0', description: 'Omnichannel support bridge. Errors are {"error":{"code","message"}}.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A JWT access token (POST /auth/login), a personal token (POST /tokens) or an API_TOKENS service token',
        },
      },
      schemas: componentSchemas,
    },
  };
}

/**
 * Routes described only by the route × role matrix (src/http/access.ts: accounts, tokens, audit, workspace, operations)
 * get a generic operation naming the roles allowed, so the document covers every route the server answers.
 */
function addMatrixRoutes(paths: Record<string, Json>): void {
  const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
  const parametersOf = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => pathParam(m[1]));
  const generic = (summary: string, auth: boolean, path: string, method: string): Json =>
    operation(
      summary,
      {
        '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
        '400': error('invalid input'),
        ...(auth ? { '403': error('role not allowed (forbidden)') } : {}),
        '404': error('not found'),
      },
      {
        ...(parametersOf(path).length ? { parameters: parametersOf(path) } : {}),
        ...(method === 'post' || method === 'patch'
          ? { requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } }
          : {}),
      },
      auth,
    );
  for (const rule of ROUTE_RULES) {
    const method = rule.method.toLowerCase();
    const entry = (paths[openApiPath(rule.path)] ??= {});
    entry[method] ??= generic(`${rule.method} ${rule.path} (roles: ${rule.roles.join(', ')})`, true, rule.path, method);
  }
  for (const route of PUBLIC_ROUTES) {
    const method = route.method.toLowerCase();
    const entry = (paths[openApiPath(route.path)] ??= {});
    entry[method] ??= generic(`${route.method} ${route.path} (no bearer token: its own check)`, false, route.path, method);
  }
}
