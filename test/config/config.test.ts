import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONFIG_KEYS, ConfigError, parseConfig } from '../../src/config.js';

const DESIGN_KEYS = [
  'PORT',
  'PUBLIC_BASE_URL',
  'LOG_LEVEL',
  'API_TOKENS',
  'STORAGE_TYPE',
  'DATA_DIR',
  'DYNAMODB_TABLE',
  'DYNAMODB_ENDPOINT',
  'AWS_REGION',
  'MISTRAL_API_KEY',
  'MISTRAL_MODEL',
  'MISTRAL_SERVER_URL',
  'ENABLE_AUTO_ANALYTICS',
  'ENABLE_CHATBOT',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_SMS_FROM',
  'TWILIO_WHATSAPP_FROM',
  'TWILIO_API_BASE_URL',
  'SENDGRID_API_KEY',
  'SENDGRID_API_BASE_URL',
  'SUPPORT_EMAIL_FROM',
  'INBOUND_EMAIL_SECRET',
];

describe('configuration', () => {
  it('.env.example lists exactly the keys of the schema', () => {
    const exampleKeys = readFileSync('.env.example', 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z0-9_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    assert.deepEqual([...exampleKeys].sort(), [...CONFIG_KEYS].sort());
  });

  it('the README documents every key', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const key of CONFIG_KEYS) assert.match(readme, new RegExp(`\\b${key}\\b`), `README mentions ${key}`);
  });

  it('covers every variable of docs/design.md', () => {
    for (const key of DESIGN_KEYS) assert.ok((CONFIG_KEYS as string[]).includes(key), key);
  });

  it('defaults need no credentials', () => {
    const config = parseConfig({});
    assert.equal(config.PORT, 8000);
    assert.equal(config.STORAGE_TYPE, 'json');
    assert.equal(config.DATA_DIR, './data');
    assert.equal(config.ENABLE_CHATBOT, true);
    assert.deepEqual(config.API_TOKENS, []);
  });

  it('parses booleans, lists and numbers', () => {
    const config = parseConfig({
      ENABLE_CHATBOT: '0',
      ENABLE_AUTO_ANALYTICS: 'false',
      API_TOKENS: 'a, b,,c',
      PORT: '0',
      TWILIO_SMS_FROM: '  ',
    });
    assert.equal(config.ENABLE_CHATBOT, false);
    assert.equal(config.ENABLE_AUTO_ANALYTICS, false);
    assert.deepEqual(config.API_TOKENS, ['a', 'b', 'c']);
    assert.equal(config.PORT, 0);
    assert.equal(config.TWILIO_SMS_FROM, undefined, 'blank means unset');
  });

  it('reports one clear line per problem', () => {
    try {
      parseConfig({
        PORT: 'eighty',
        STORAGE_TYPE: 'sqlite',
        ENABLE_CHATBOT: 'yes',
        PUBLIC_BASE_URL: 'example.com',
        SUPPORT_EMAIL_FROM: 'support',
      });
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 5);
      for (const key of ['PORT', 'STORAGE_TYPE', 'ENABLE_CHATBOT', 'PUBLIC_BASE_URL', 'SUPPORT_EMAIL_FROM']) {
        assert.equal(error.problems.filter((p) => p.startsWith(`${key}:`)).length, 1, key);
      }
    }
  });
});
