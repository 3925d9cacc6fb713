// The deployment files cannot be run here (no Docker engine): what can be checked is checked. compose.yaml parses, has
// two app instances on one DynamoDB table and one Redis behind a load balancer, and every key it sets is one the
// configuration reads (and parses); the Dockerfile is multi-stage, non-root, production deps only, with a health check.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_KEYS, parseConfig } from '../../src/config.js';

/** Read by the AWS SDK itself (credentials), not by src/config.ts. */
const SDK_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: unknown;
  volumes?: string[];
}

const compose = parse(readFileSync('compose.yaml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
/** `${NAME:?…}` / `${NAME:-default}` as compose would substitute them with the variable set. */
const substitute = (value: string) =>
  String(value).replace(/\$\{(\w+)(?:(:-|:\?)([^}]*))?\}/g, (_, name: string, op?: string, rest?: string) =>
    op === ':-' ? (rest ?? '') : `test-${name.toLowerCase()}`,
  );

describe('deployment files', () => {
  it('compose.yaml: two app instances, redis, dynamodb, a load balancer; env keys exist in the config and parse', () => {
    const { services } = compose;
    for (const name of ['app1', 'app2', 'redis', 'dynamodb', 'lb', 'create-table']) assert.ok(services[name], `service ${name}`);
    for (const name of ['app1', 'app2']) {
      const env = services[name].environment!;
      assert.equal(env.EVENT_BUS, 'redis');
      assert.equal(env.STORAGE_TYPE, 'dynamodb');
      assert.match(env.REDIS_URL, /^redis:\/\/redis:6379/);
      assert.match(env.DYNAMODB_ENDPOINT, /^http:\/\/dynamodb:8000/);
      for (const key of Object.keys(env)) assert.ok(CONFIG_KEYS.includes(key) || SDK_KEYS.includes(key), `${name}: ${key} is read`);
      const config = parseConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, substitute(v)])));
      assert.equal(config.EVENT_BUS, 'redis');
      assert.ok(
        services[name].volumes?.some((v) => v.endsWith(':/app/data')),
        'attachments on a shared volume',
      );
    }
    assert.deepEqual(services.app1.environment, services.app2.environment, 'the same settings on every instance');
    const lb = services.lb;
    assert.ok(lb.ports?.some((p) => p.endsWith(':8000')));
    assert.ok(
      ['app1:8000', 'app2:8000'].every((upstream) => lb.command?.includes(upstream)),
      'both instances behind the balancer',
    );
    assert.ok(services['create-table'].command?.includes('dynamodb:create-table'));
  });

  it('Dockerfile: multi-stage on node:22-slim, npm ci --omit=dev, non-root, health check on /healthz, a command that exists', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    assert.equal(dockerfile.match(/^FROM node:22-slim/gm)?.length, 2, 'two stages');
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^HEALTHCHECK [\s\S]*\/healthz/m);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]) as string[];
    assert.ok(existsSync(cmd[3]), `${cmd[3]} exists`);
    for (const copied of dockerfile.matchAll(/^COPY --chown=node:node (\S+) /gm)) assert.ok(existsSync(copied[1]), `${copied[1]} exists`);
  });
});
