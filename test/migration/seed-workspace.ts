// The records port and the agent workspace seeded through the real modules (auth service, store methods): agents with
// their e-mail index, a login (refresh-token session, generated JWT key, audit entries), a personal token, a disabled
// agent, canned replies (one deleted) and contact profiles. `checkCarried` proves a store holds them in a usable form:
// the agent logs in with the same password, the personal token, the access token signed before the copy (same key)
// and the refresh token all still work; the canned replies, profiles and the search index answer as before.
import assert from 'node:assert/strict';
import { createAuth } from '../../src/auth/service.js';
import { contactIdOf } from '../../src/domain/workspace.js';
import type { RecordStore } from '../../src/storage/records.js';
import type { TicketStore } from '../../src/storage/types.js';

export interface Carried {
  email: string;
  password: string;
  personalToken: string;
  accessToken: string;
  refreshToken: string;
  contactId: string;
}

const authOn = (records: RecordStore) =>
  createAuth({ records, apiTokens: [], accessTtlSeconds: 3600, refreshTtlDays: 30, now: () => new Date() });

export async function seedWorkspaceAndAuth(store: TicketStore & RecordStore): Promise<Carried> {
  const auth = authOn(store);
  const email = 'agent.marie@example.fr';
  const password = 'mot-de-passe-très-long';
  const admin = await auth.agents.create({ email: 'admin@example.fr', name: 'Admin', role: 'admin', password: 'admin-password-1' });
  const agent = await auth.agents.create({ email, name: 'Marie Dupont', role: 'agent', password });
  const gone = await auth.agents.create({ email: 'parti@example.fr', name: 'Parti', role: 'analyst', password: 'analyst-pass-1' });
  await auth.agents.update(gone.agent_id, { status: 'disabled' });
  const session = await auth.login(email, password, '127.0.0.1');
  await auth.login(email, 'wrong password!', '127.0.0.1').catch(() => undefined); // an audit entry for a failure
  const { token } = await auth.tokens.create({ agent_id: agent.agent_id, name: 'intégration CRM', created_by: admin.agent_id });
  const now = new Date().toISOString();
  for (const [i, shortcut] of ['bonjour', 'facture', 'adieu'].entries())
    await store.putCannedReply({
      canned_id: `canned-${i}`,
      shortcut,
      title: `Réponse ${shortcut}`,
      text: `Bonjour {{contact.name}}, ${shortcut} — {{agent.name}}`,
      created_at: now,
      updated_at: now,
      deleted: shortcut === 'adieu',
    });
  const contactId = contactIdOf('sms', '+33612340000');
  await store.updateContactProfile(contactId, (p) => ({ ...p, name: 'Client Zéro', emails: ['client0@example.fr'] }), now);
  await store.updateContactProfile(contactIdOf('email', 'client1@example.fr'), (p) => ({ ...p, phones: ['+33699999999'] }), now);
  return { email, password, personalToken: token, accessToken: session.access_token, refreshToken: session.refresh_token, contactId };
}

/** Uses the credentials (this writes to the store: a login, a session rotation, audit entries). */
export async function checkCarried(store: TicketStore & RecordStore, carried: Carried): Promise<void> {
  assert.deepEqual(
    (await store.listCannedReplies()).map((r) => r.shortcut),
    ['bonjour', 'facture'],
    'live canned replies carried, the deleted one not',
  );
  const profile = await store.getContactProfile(carried.contactId);
  assert.equal(profile?.name, 'Client Zéro');
  assert.equal(profile?.version, 1);
  assert.ok((await store.searchTickets(['facture'])).length > 0, 'the search index answers for the copied tickets');
  const auth = authOn(store);
  const viaToken = await auth.authenticate(carried.personalToken);
  assert.equal(viaToken?.kind === 'agent' && viaToken.email, carried.email, 'the personal token still works');
  const viaJwt = await auth.authenticate(carried.accessToken);
  assert.equal(viaJwt?.kind === 'agent' && viaJwt.email, carried.email, 'an access token signed before the copy: same key');
  const refreshed = await auth.refresh(carried.refreshToken, '127.0.0.1');
  assert.equal(refreshed.agent.email, carried.email, 'the refresh-token session survives');
  const login = await auth.login(carried.email, carried.password, '127.0.0.1');
  assert.equal(login.agent.role, 'agent', 'the agent signs in with the same password');
  await assert.rejects(auth.login('parti@example.fr', 'analyst-pass-1', '127.0.0.1'), /wrong/, 'the disabled agent stays disabled');
  const audit = await auth.audit.list(100, null);
  assert.ok(
    audit.items.some((e) => e.action === 'login_failed'),
    'audit entries from before the copy are there',
  );
}
