import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, redactUrl } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logger redaction', () => {
  it('never writes credentials or the bodies of raw provider payloads', async () => {
    const { lines, logger } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer s3cret-token', 'x-twilio-signature': 'sig==' } } }, 'request');
    logger.warn({ channel: 'sms', raw: { From: '+33612345678', Body: 'mon code secret 1234', MessageSid: 'SMx' } }, 'unsupported');
    logger.info({ settings: { authToken: 'tw-token', apiKey: 'SG.key' } }, 'settings');
    await new Promise((resolve) => setImmediate(resolve));
    const text = lines.join('');
    for (const secret of ['s3cret-token', 'sig==', 'mon code secret', 'tw-token', 'SG.key']) assert.doesNotMatch(text, new RegExp(secret));
    assert.match(text, /\+33612345678/, 'phone numbers may be logged');
    assert.match(text, /SMx/);
  });

  it('removes secrets from logged URLs', () => {
    assert.equal(redactUrl('/webhooks/sendgrid/inbound?token=abc&x=1'), '/webhooks/sendgrid/inbound?token=[Redacted]&x=1');
    assert.equal(redactUrl('/ws?token=abc'), '/ws?token=[Redacted]');
    assert.equal(redactUrl('/tickets?status=ferm%C3%A9'), '/tickets?status=ferm%C3%A9');
  });
});
