// AUTO_ASSIGN_AGENTS: new tickets go to the listed agents in turn; a follow-up message does not reassign.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eventually, startApp } from '../helpers/app.js';
import { testChannelModule } from '../helpers/test-adapter.js';

it('new tickets are assigned in turn; messages on an assigned ticket change nothing', async () => {
  const t = await startApp({
    modules: [testChannelModule()],
    env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false', AUTO_ASSIGN_AGENTS: 'ag_1, ag_2' },
  });
  try {
    const post = async (id: string, from: string) =>
      (
        (await (
          await fetch(t.url + '/webhooks/test/inbound', { method: 'POST', body: JSON.stringify({ id, from, text: 'Bonjour' }) })
        ).json()) as { ticket_id: string }
      ).ticket_id;
    const ids = [await post('r-1', 'v-1'), await post('r-2', 'v-2'), await post('r-3', 'v-3')];
    await post('r-4', 'v-1');
    const assignees = await eventually(async () => {
      const all = await Promise.all(
        ids.map(async (id) => ((await (await t.api(`/tickets/${id}`)).json()) as { assignee_id: string | null }).assignee_id),
      );
      return all.every(Boolean) ? all : null;
    });
    assert.deepEqual(assignees, ['ag_1', 'ag_2', 'ag_1']);
    const mine = (await (await t.api('/tickets?assignee=ag_2')).json()) as { items: { ticket_id: string }[] };
    assert.deepEqual(
      mine.items.map((i) => i.ticket_id),
      [ids[1]],
    );
  } finally {
    await t.stop();
  }
});
