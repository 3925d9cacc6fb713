// A Freeda app for workspace API tests on either store: Twilio SMS (signed webhooks) and SendGrid e-mail (multipart)
// against local fakes, agents Alice and Bob acting through their own API tokens, and helpers to make tickets.
import assert from 'node:assert/strict';
import type { Request } from 'express';
import { sendgridModule } from '../../adapters/sendgrid/index.js';
import { simulatedInboundParse } from '../../adapters/sendgrid/simulate.js';
import { twilioModule } from '../../adapters/twilio/index.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { createWebchatModule } from '../../adapters/webchat/index.js';
import { parseModuleConfig } from '../../src/config.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { eventually, startApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { emailAppEnv, startFakeSendGrid, type FakeSendGrid } from '../sendgrid/fake-sendgrid.js';
import { FIXTURE_AUTH_TOKEN, FIXTURE_SMS_FROM, formBody, loadFixture } from '../twilio/fixtures.js';

const PUBLIC = 'https://support.example.com';
export const AGENTS = {
  'tok-alice': { agent_id: 'ag_alice', name: 'Alice Martin' },
  'tok-bob': { agent_id: 'ag_bob', name: 'Bob Leroy' },
} as const;

export interface WorkspaceApp {
  t: TestApp;
  twilio: FakeTwilio;
  sendgrid: FakeSendGrid;
  /** fetch as one of the agents (or the shared token when `as` is omitted). */
  api(path: string, init?: RequestInit & { as?: keyof typeof AGENTS }): Promise<Response>;
  json<T>(path: string, init?: RequestInit & { as?: keyof typeof AGENTS }): Promise<T>;
  sms(from: string, body: string): Promise<string>;
  mail(from: string, text: string, subject?: string): Promise<string>;
  stop(): Promise<void>;
}

let sidCounter = 0;

export async function startWorkspaceApp(kind: 'json' | 'dynamodb', env: Record<string, string> = {}): Promise<WorkspaceApp> {
  const twilio = await startFakeTwilio();
  const sendgrid = await startFakeSendGrid();
  let dyn: DynaliteHandle | null = null;
  const storeEnv: Record<string, string> = {};
  if (kind === 'dynamodb') {
    dyn = await startDynalite();
    Object.assign(storeEnv, {
      STORAGE_TYPE: 'dynamodb',
      DYNAMODB_TABLE: dyn.table,
      DYNAMODB_ENDPOINT: dyn.endpoint,
      AWS_REGION: dyn.region,
    });
  }
  const t = await startApp({
    modules: [twilioModule, sendgridModule, createWebchatModule()],
    env: {
      ...emailAppEnv(sendgrid, 'inbound-secret'),
      API_TOKENS: [TEST_TOKEN, ...Object.keys(AGENTS)].join(','),
      PUBLIC_BASE_URL: PUBLIC,
      TWILIO_ACCOUNT_SID: 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4',
      TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
      TWILIO_SMS_FROM: FIXTURE_SMS_FROM,
      TWILIO_API_BASE_URL: twilio.url,
      ENABLE_CHATBOT: 'false',
      ENABLE_AUTO_ANALYTICS: 'false',
      WEBCHAT_SECRET: 'test-webchat-secret',
      ...storeEnv,
      ...env,
    },
    actingAgent: (req: Request) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      return token && token in AGENTS ? AGENTS[token as keyof typeof AGENTS] : null;
    },
  });
  const api: WorkspaceApp['api'] = (path, init = {}) => {
    const { as, ...rest } = init;
    return t.api(path, {
      ...rest,
      headers: { ...(rest.headers as Record<string, string>), ...(as ? { authorization: `Bearer ${as}` } : {}) },
    });
  };
  const app: WorkspaceApp = {
    t,
    twilio,
    sendgrid,
    api,
    async json<T>(path: string, init?: RequestInit & { as?: keyof typeof AGENTS }) {
      const res = await api(path, init);
      assert.ok(res.status < 300, `${path}: ${res.status} ${await res.clone().text()}`);
      return (await res.json()) as T;
    },
    async sms(from, body) {
      const sid = 'SM' + (++sidCounter).toString(16).padStart(32, '0');
      const params = {
        ...loadFixture('messaging', 'sms-basic').params,
        From: from,
        MessageSid: sid,
        SmsMessageSid: sid,
        SmsSid: sid,
        Body: body,
      };
      const path = '/webhooks/twilio/messaging';
      const res = await fetch(t.url + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC + path, params),
        },
        body: formBody(params),
      });
      assert.equal(res.status, 200);
      return res.headers.get('x-freeda-ticket-id')!;
    },
    async mail(from, text, subject = 'Question') {
      const config = parseModuleConfig(sendgridModule, { SUPPORT_EMAIL_FROM: 'support@freeda.example' });
      const mail = simulatedInboundParse({ text, from, options: { subject } }, config);
      const before = new Set(
        ((await app.json<{ items: { ticket_id: string }[] }>('/tickets?channel=email&limit=200')).items ?? []).map((i) => i.ticket_id),
      );
      const res = await fetch(`${t.url}/webhooks/sendgrid/inbound?token=inbound-secret`, {
        method: 'POST',
        headers: { 'content-type': mail.contentType },
        body: new Uint8Array(mail.body),
      });
      assert.equal(res.status, 200);
      return eventually(async () => {
        const list = await app.json<{ items: { ticket_id: string }[] }>('/tickets?channel=email&limit=200');
        return list.items.find((i) => !before.has(i.ticket_id))?.ticket_id;
      });
    },
    async stop() {
      await t.stop();
      await Promise.all([twilio.close(), sendgrid.close()]);
      await dyn?.stop();
    },
  };
  return app;
}
