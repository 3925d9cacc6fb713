// GET /openapi.json: a valid OpenAPI 3.1 document (@readme/openapi-parser), covering every route express serves (read
// from the app's router stack: a new route without its path in the document fails here), and responses produced
// by real API calls validate against their documented schemas (ajv, JSON Schema 2020-12).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { validate, compileErrors } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { FIXTURE_AUTH_TOKEN, loadFixture } from '../twilio/fixtures.js';

type Json = Record<string, unknown>;
interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every (METHOD, path) the express app routes, through nested routers. */
function expressRoutes(stack: Layer[]): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const path of paths)
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all') out.push(`${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`);
    } else if (layer.handle?.stack) out.push(...expressRoutes(layer.handle.stack));
  }
  return out;
}

const PUBLIC = 'https://support.example.com';

describe('GET /openapi.json', () => {
  let app: TestApp;
  let doc: Json & { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Json }> }> }>> };
  let ajv: Ajv2020;
  before(async () => {
    app = await startApp({ env: { PUBLIC_BASE_URL: PUBLIC, TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN, ENABLE_CHATBOT: 'false' } });
    const res = await fetch(`${app.url}/openapi.json`); // public: no token
    assert.equal(res.status, 200);
    doc = (await res.json()) as typeof doc;
    ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'freeda-openapi', components: doc.components });
  });
  after(() => app?.stop());

  it('is a valid OpenAPI 3.1 document', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const result = await validate(structuredClone(doc) as never);
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
  });

  it('documents every route express serves', () => {
    const expressApp = app.app.server.listeners('request')[0] as ((req: IncomingMessage, res: ServerResponse) => void) & {
      router: { stack: Layer[] };
    };
    const routes = expressRoutes(expressApp.router.stack);
    assert.ok(routes.length > 20, `found ${routes.length} routes`);
    assert.ok(routes.includes('GET /stats') && routes.includes('POST /webhooks/twilio/messaging'));
    const missing = routes.filter((r) => {
      const [method, path] = r.split(' ');
      return !doc.paths[path]?.[method.toLowerCase()];
    });
    assert.deepEqual(missing, []);
    // The WebSocket upgrade is not an express route; it is documented too.
    assert.ok(doc.paths['/ws']?.get);
  });

  /** The response must match the schema documented for its path, method and status. */
  async function conforms(res: Response, path: string, method: string) {
    const documented = doc.paths[path]?.[method]?.responses[String(res.status)];
    assert.ok(documented, `${method} ${path} ${res.status} is not documented`);
    const schema = documented.content?.['application/json']?.schema;
    assert.ok(schema, `${method} ${path} ${res.status} has no JSON schema`);
    const check = ajv.compile({ $ref: `freeda-openapi${String(schema.$ref)}` });
    const body: unknown = await res.json();
    assert.ok(check(body), `${method} ${path} ${res.status}: ${ajv.errorsText(check.errors)}`);
  }

  it('responses of API calls validate against it', async () => {
    const sid = 'SM' + randomBytes(16).toString('hex');
    const params = {
      ...loadFixture('messaging', 'sms-basic').params,
      MessageSid: sid,
      SmsMessageSid: sid,
      SmsSid: sid,
      From: '+33612121212',
      Body: 'Ma facture est fausse',
    };
    const hook = await fetch(`${app.url}/webhooks/twilio/messaging`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(FIXTURE_AUTH_TOKEN, `${PUBLIC}/webhooks/twilio/messaging`, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    const id = hook.headers.get('x-freeda-ticket-id')!;
    await app.app.work.idle();
    await conforms(await app.api('/tickets'), '/tickets', 'get');
    await conforms(await app.api(`/tickets/${id}`), '/tickets/{id}', 'get');
    await conforms(
      await app.api(`/tickets/${id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) }),
      '/tickets/{id}/status',
      'patch',
    );
    await conforms(
      await app.api(`/tickets/${id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'ouvert' }) }),
      '/tickets/{id}/status',
      'patch',
    );
    await conforms(
      await app.api(`/tickets/${id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Bonjour' }) }),
      '/tickets/{id}/messages',
      'post',
    );
    await conforms(await app.api('/tickets/01JD3M4Q8V6K2Y7T1W9XZ0ABCD'), '/tickets/{id}', 'get');
    await conforms(await app.api('/stats?group_by=week'), '/stats', 'get');
    await conforms(await app.api('/stats?group_by=year'), '/stats', 'get');
    await conforms(await app.api('/channels'), '/channels', 'get');
    await conforms(await fetch(`${app.url}/tickets`), '/tickets', 'get'); // 401
    await conforms(await app.api('/webhooks/outgoing'), '/webhooks/outgoing', 'get');
    await conforms(await fetch(`${app.url}/healthz`), '/healthz', 'get');
  });
});
