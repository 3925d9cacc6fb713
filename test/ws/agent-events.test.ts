import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { newTicket, publicTicket } from '../../src/domain/ticket.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { connectWs } from '../helpers/ws-client.js';
import { testChannelModule } from '../helpers/test-adapter.js';

const post = (t: TestApp, id: string, from: string, text: string) =>
  fetch(t.url + '/webhooks/test/inbound', { method: 'POST', body: JSON.stringify({ id, from, text }) }).then(
    (r) => r.json() as Promise<{ ticket_id: string }>,
  );

/** A ticket event no ingest produced (only the hub's buffering is under test). */
const syntheticTicket = (id: string, subject: string | null = null) =>
  publicTicket(newTicket({ ticket_id: id, channel: 'chat', contact: { address: 'v_synthetic' }, subject, now: new Date().toISOString() }));

describe('agent WebSocket', () => {
  let t: TestApp;
  let wsUrl: string;
  before(async () => {
    t = await startApp({ modules: [testChannelModule()], env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
    wsUrl = t.url.replace('http', 'ws') + '/ws';
  });
  after(async () => {
    await t.stop();
  });

  it('refuses a wrong token at upgrade', async () => {
    const ws = new WebSocket(`${wsUrl}?token=wrong`);
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    assert.equal(status, 401);
  });

  it('receives created, message and status events in order with increasing seq', async () => {
    const agent = await connectWs(`${wsUrl}?token=${t.token}`);
    const hello = await agent.next((f) => f.type === 'hello');
    const r = await post(t, 'ws-1', 'visitor-ws', 'Bonjour');
    const created = await agent.next((f) => f.type === 'ticket.created');
    const message = await agent.next((f) => f.type === 'message.created');
    assert.equal(created.data!.ticket_id, r.ticket_id);
    assert.equal(message.data!.text, 'Bonjour');
    assert.ok(created.seq! > hello.seq! && message.seq! > created.seq!);
    await t.api(`/tickets/${r.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
    const status = await agent.next((f) => f.type === 'ticket.status_changed');
    assert.equal(status.data!.status, 'fermé');
    assert.ok(typeof status.data!.closed_at === 'string');
    assert.equal(typeof status.data!.resolution_duration, 'number');
    assert.ok(status.seq! > message.seq!);
    assert.equal(agent.drain().filter((f) => f.type === 'binary-frame').length, 0, 'text frames only');
    await agent.close();
  });

  it('resume after reconnect replays exactly the missed events', async () => {
    const agent = await connectWs(wsUrl, { authorization: `Bearer ${t.token}` });
    await post(t, 'ws-2', 'visitor-resume', 'first');
    const seen = await agent.next((f) => f.type === 'message.created');
    await agent.close();
    await post(t, 'ws-3', 'visitor-resume', 'second');
    await post(t, 'ws-4', 'visitor-other', 'third');
    const again = await connectWs(`${wsUrl}?token=${t.token}`);
    again.ws.send(JSON.stringify({ type: 'resume', after_seq: seen.seq }));
    await again.next((f) => f.type === 'resumed');
    const replayed = again.drain().filter((f) => f.type !== 'hello');
    const texts = replayed.filter((f) => f.type === 'message.created').map((f) => f.data!.text);
    assert.deepEqual(texts, ['second', 'third']);
    const seqs = replayed.map((f) => f.seq!);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(seqs[0], seen.seq! + 1, 'no gap after the last seen event');
    await again.close();
  });

  it('resume from a point older than the replay buffer asks for a resync instead of a partial replay', async () => {
    const agent = await connectWs(`${wsUrl}?token=${t.token}`);
    const hello = await agent.next((f) => f.type === 'hello');
    await agent.close();
    for (let i = 0; i < 10_050; i++) t.app.bus.publish({ type: 'ticket.updated', data: syntheticTicket(`synthetic-${i}`) });
    const again = await connectWs(`${wsUrl}?token=${t.token}`);
    again.ws.send(JSON.stringify({ type: 'resume', after_seq: hello.seq }));
    const answer = await again.next((f) => f.type === 'resync_required' || f.type === 'resumed');
    assert.equal(answer.type, 'resync_required');
    assert.ok((answer.data!.oldest_seq as number) > hello.seq! + 1);
    await again.close();
  });

  it('a client that stops reading is dropped (4008) instead of growing the server memory', async () => {
    const slow = new WebSocket(`${wsUrl}?token=${t.token}`);
    await new Promise<void>((resolve) => slow.once('open', () => resolve()));
    (slow as unknown as { _socket: { pause(): void } })._socket.pause(); // stops reading: the kernel buffers fill up
    const closed = new Promise<number>((resolve) => slow.once('close', (code) => resolve(code)));
    const payload = 'x'.repeat(16 * 1024);
    let dropped = false;
    void closed.then(() => (dropped = true));
    // At most 64 MiB of events; the server must give up on this client well before (its limit is 4 MiB unsent).
    for (let i = 0; i < 4096 && !dropped && t.app.hub.agentCount > 0; i++) {
      t.app.bus.publish({ type: 'ticket.updated', data: syntheticTicket(`bulk-${i}`, payload) });
      if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(t.app.hub.agentCount, 0, 'the slow agent is no longer served');
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    assert.equal(await closed, 4008);
  });

  it('bad frames get an error frame and the connection stays open', async () => {
    const agent = await connectWs(`${wsUrl}?token=${t.token}`);
    for (const bad of ['not json', '{"type":"resume"}', '{"type":"resume","after_seq":-1}', '[]', '{"type":"nope"}']) {
      agent.ws.send(bad);
      const error = await agent.next((f) => f.type === 'error');
      assert.equal(error.code, 'invalid_frame');
    }
    agent.ws.send(JSON.stringify({ type: 'resume', after_seq: 10 ** 9 }));
    assert.equal((await agent.next((f) => f.type === 'error')).code, 'invalid_seq');
    agent.ws.send(JSON.stringify({ type: 'resume', after_seq: 0 }));
    await agent.next((f) => f.type === 'resumed' || f.type === 'resync_required');
    assert.equal(agent.ws.readyState, WebSocket.OPEN);
    await agent.close();
  });
});
