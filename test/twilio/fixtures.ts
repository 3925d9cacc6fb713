// Loads Twilio fixtures and turns them into signed requests with the real algorithm.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebhookRequest } from '../../src/domain/channel.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/twilio');
export const FIXTURE_AUTH_TOKEN = 'fixture_auth_token_5f1e2d3c4b5a6978';
export const FIXTURE_SMS_FROM = '+15005550006';
export const FIXTURE_WHATSAPP_FROM = 'whatsapp:+14155238886';

export interface TwilioFixture {
  name: string;
  dir: 'messaging' | 'status';
  description: string;
  params: Record<string, string>;
}

export function loadFixtures(dir: 'messaging' | 'status'): TwilioFixture[] {
  return readdirSync(join(FIXTURES_DIR, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const data = JSON.parse(readFileSync(join(FIXTURES_DIR, dir, file), 'utf8')) as {
        description: string;
        params: Record<string, string>;
      };
      return { name: file.replace(/\.json$/, ''), dir, description: data.description, params: data.params };
    });
}

export function loadFixture(dir: 'messaging' | 'status', name: string): TwilioFixture {
  const found = loadFixtures(dir).find((f) => f.name === name);
  if (!found) throw new Error(`no fixture ${dir}/${name}`);
  return found;
}

export function formBody(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** A webhook request as the core would hand it to the adapter, signed for `publicUrl`. */
export function signedRequest(publicUrl: string, params: Record<string, string>, authToken = FIXTURE_AUTH_TOKEN): WebhookRequest {
  const url = new URL(publicUrl);
  return {
    method: 'POST',
    path: url.pathname,
    rawQuery: url.search.slice(1),
    query: Object.fromEntries(url.searchParams),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(authToken, publicUrl, params) },
    rawBody: Buffer.from(formBody(params)),
    publicUrl,
    requestId: 'test-request',
  };
}
