// Pure parts of the web chat adapter: tokens, frame parsing, normalising, the token bucket.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { externalIdFor, normalizeVisitorMessage, visitorMessage } from '../../adapters/webchat/normalize.js';
import { parseVisitorFrame } from '../../adapters/webchat/parse.js';
import { createTokenBucket } from '../../adapters/webchat/rate.js';
import { signVisitorToken, verifyVisitorToken, visitorIdFromRandom } from '../../adapters/webchat/verify.js';
import type { Message } from '../../src/domain/types.js';

const LIMITS = { maxFrameBytes: 16 * 1024, maxTextChars: 4000 };

describe('visitor tokens', () => {
  const id = visitorIdFromRandom(Buffer.alloc(16, 7));

  it('round-trips and is bound to the secret and the id', () => {
    const token = signVisitorToken('s1', id);
    assert.deepEqual(verifyVisitorToken('s1', token), { ok: true, visitorId: id });
    assert.deepEqual(verifyVisitorToken('s2', token), { ok: false, reason: 'bad_signature' });
    const other = visitorIdFromRandom(Buffer.alloc(16, 8));
    const swapped = `${other}.${token.split('.')[1]}`;
    assert.deepEqual(verifyVisitorToken('s1', swapped), { ok: false, reason: 'bad_signature' });
  });

  it('refuses malformed tokens without throwing', () => {
    for (const bad of ['', 'abc', '.abc', `${id}.`, `${id}.short`, `x_${id}.${'A'.repeat(43)}`, `${id}.${'A'.repeat(43)}.x`]) {
      assert.equal(verifyVisitorToken('s1', bad).ok, false, bad);
    }
  });
});

describe('parseVisitorFrame', () => {
  it('accepts the documented frames', () => {
    assert.deepEqual(parseVisitorFrame('{"type":"hello"}', LIMITS), { ok: true, frame: { type: 'hello' } });
    assert.deepEqual(parseVisitorFrame('{"type":"hello","visitor_token":null,"ticket_id":null}', LIMITS).ok, true);
    const message = parseVisitorFrame('{"type":"message","client_id":"a-1","text":"Salut"}', LIMITS);
    assert.deepEqual(message, { ok: true, frame: { type: 'message', client_id: 'a-1', text: 'Salut' } });
    assert.deepEqual(parseVisitorFrame('{"type":"ping"}', LIMITS), { ok: true, frame: { type: 'ping' } });
  });

  it('names what is wrong', () => {
    const code = (raw: string, binary = false) => {
      const parsed = parseVisitorFrame(raw, LIMITS, binary);
      return parsed.ok ? 'ok' : parsed.code;
    };
    assert.equal(code('{', false), 'invalid_json');
    assert.equal(code('"hello"'), 'invalid_frame');
    assert.equal(code('null'), 'invalid_frame');
    assert.equal(code('{"type":"HELLO"}'), 'unsupported_type');
    assert.equal(code('{}'), 'unsupported_type');
    assert.equal(code('{"type":"message","client_id":"a","text":1}'), 'invalid_frame');
    assert.equal(code('{"type":"message","client_id":"","text":"x"}'), 'invalid_frame');
    assert.equal(code(JSON.stringify({ type: 'message', client_id: 'a', text: 'é'.repeat(4001) })), 'text_too_long');
    assert.equal(code(JSON.stringify({ type: 'message', client_id: 'a', text: 'é'.repeat(4000) })), 'ok');
    assert.equal(code(JSON.stringify({ type: 'message', client_id: 'a', text: 'é'.repeat(9000) })), 'frame_too_large');
    assert.equal(code('{"type":"hello","ticket_id":"../../etc"}'), 'invalid_frame');
    assert.equal(code('{"type":"ping"}', true), 'binary_not_supported');
  });
});

describe('normalize', () => {
  it('builds a chat message whose external id carries the visitor and client ids', () => {
    const event = normalizeVisitorMessage({
      visitorId: 'v_abc',
      displayName: 'Zoé',
      clientId: 'c-9',
      text: '  Bonjour \n',
      receivedAt: '2026-01-02T03:04:05.000Z',
    });
    assert.deepEqual(event, {
      kind: 'message',
      channel: 'chat',
      external_id: 'v_abc:c-9',
      contact: { address: 'v_abc', display_name: 'Zoé' },
      text: 'Bonjour',
      attachments: [],
      received_at: '2026-01-02T03:04:05.000Z',
    });
    assert.equal(externalIdFor('v_abc', 'c-9'), event.external_id);
  });

  it('shows the visitor their own client id and hides delivery and metadata', () => {
    const base: Message = {
      message_id: 'M1',
      ticket_id: 'T1',
      direction: 'inbound',
      author: 'customer',
      text: 'hi',
      attachments: [],
      external_id: 'v_abc:c-9',
      created_at: '2026-01-02T03:04:05.000Z',
      delivery: null,
      meta: { display_name: 'Zoé' },
    };
    const view = visitorMessage(base);
    assert.equal(view.client_id, 'c-9');
    assert.equal('meta' in view, false);
    const reply = visitorMessage({
      ...base,
      direction: 'outbound',
      author: 'agent',
      external_id: 'agent:x',
      delivery: {
        status: 'sent',
        error_code: null,
        error_message: null,
        attempts: 1,
        provider_id: 'p',
        next_attempt_at: null,
        updated_at: base.created_at,
      },
    });
    assert.equal(reply.client_id, null);
    assert.equal('delivery' in reply, false);
  });
});

describe('token bucket', () => {
  it('allows a burst, refuses beyond it, and credits one token per interval', () => {
    const bucket = createTokenBucket({ capacity: 3, refillEveryMs: 1000 }, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
    assert.equal(bucket.take(999), false);
    assert.equal(bucket.take(1000), true);
    assert.equal(bucket.take(1500), false);
    assert.equal(bucket.take(2000), true);
    // A long pause refills to capacity, not beyond.
    assert.deepEqual([bucket.take(60_000), bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)], [true, true, true, false]);
  });
});
