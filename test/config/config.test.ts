import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { CONFIG_KEYS, ConfigError, configKeys, parseConfig } from '../../src/config.js';
import { envString } from '../../src/domain/config.js';
import { channelModules } from '../../src/registry.js';
import { testChannelModule } from '../helpers/test-adapter.js';

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

  it("each channel module's keys are in the README table with the module's own docs line", () => {
    const readme = readFileSync('README.md', 'utf8').split('\n');
    for (const module of channelModules) {
      for (const [key, doc] of Object.entries(module.config.docs)) {
        const row = readme.find((line) => line.startsWith(`| \`${key}\` |`));
        assert.ok(row, `README has a row for ${key} (${module.name})`);
        assert.ok(row.includes(doc), `README row of ${key} says: ${doc}`);
      }
    }
  });

  it('a module brings its keys; a key two owners claim is refused at start', () => {
    const own = { ...testChannelModule(), config: { schema: z.object({ TEST_CHANNEL_KEY: envString }), docs: { TEST_CHANNEL_KEY: 'x' } } };
    assert.ok(configKeys([own]).includes('TEST_CHANNEL_KEY'));
    assert.ok(!configKeys([own]).includes('TWILIO_AUTH_TOKEN'), 'only the given modules count');
    assert.equal(parseConfig({ TEST_CHANNEL_KEY: ' v ' }, [own]).TEST_CHANNEL_KEY, 'v');
    const greedy = { ...own, config: { schema: z.object({ PORT: envString }), docs: { PORT: 'x' } } };
    assert.throws(() => parseConfig({}, [greedy]), /PORT of channel module test is already taken/);
  });

  it('covers every variable of docs/design.md', () => {
    for (const key of DESIGN_KEYS) assert.ok(CONFIG_KEYS.includes(key), key);
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
