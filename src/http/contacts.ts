// Contacts across channels (issue #16): GET|PATCH /contacts/:id, POST /contacts/:id/links, DELETE
// /contacts/:id/links/:other_id. A contact id names an identity (a phone number on every channel, an e-mail address,
// a web-chat visitor); the profile adds a name, more e-mails and phones, and links to other contacts. Threading is
// unchanged: this only gathers tickets for the agent's view.
import { Router } from 'express';
import { z } from 'zod';
import type { ChannelCatalog } from '../domain/catalog.js';
import { publicTicket } from '../domain/ticket.js';
import type { Ticket } from '../domain/types.js';
import { addressesOfIdentity, identityOfContactId, type ContactProfile } from '../domain/workspace.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { TicketStore } from '../storage/types.js';
import { jsonBody } from './body.js';

const PHONE = /^\+\d{6,15}$/;
const patchBody = z
  .object({
    name: z.string().trim().min(1).max(200).nullable().optional(),
    emails: z.array(z.string().trim().toLowerCase().email()).max(20).optional(),
    phones: z.array(z.string().trim().regex(PHONE, 'phones are E.164 numbers (+33612345678)')).max(20).optional(),
  })
  .strict();
const linkBody = z.object({ contact_id: z.string().min(1).max(700) });

/** Linked contacts reached from one contact, itself first (links are followed this far). */
const MAX_LINKED = 20;

export function contactsRouter(deps: { store: TicketStore; channels: ChannelCatalog; now: () => Date }): Router {
  const router = Router();
  const { store } = deps;
  const iso = () => deps.now().toISOString();

  function contactId(raw: string): string {
    if (!identityOfContactId(raw)) throw new NotFoundError('contact_not_found', `No contact ${raw.slice(0, 64)}.`);
    return raw;
  }

  const profileOf = async (id: string): Promise<ContactProfile> =>
    (await store.getContactProfile(id)) ?? { contact_id: id, name: null, emails: [], phones: [], links: [], updated_at: iso(), version: 0 };

  /** Every identity of the contact: itself, its profile's e-mails and phones, and linked contacts (transitively). */
  async function gather(id: string): Promise<{ profiles: ContactProfile[]; identities: Set<string> }> {
    const profiles: ContactProfile[] = [];
    const identities = new Set<string>();
    const queue = [id];
    const seen = new Set<string>();
    while (queue.length && seen.size < MAX_LINKED) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      const profile = await profileOf(next);
      profiles.push(profile);
      identities.add(identityOfContactId(next)!);
      for (const email of profile.emails) identities.add(`mailto:${email}`);
      for (const phone of profile.phones) identities.add(`tel:${phone}`);
      queue.push(...profile.links.filter((l) => identityOfContactId(l)));
    }
    return { profiles, identities };
  }

  async function view(id: string) {
    const { profiles, identities } = await gather(id);
    const tickets = new Map<string, Ticket>();
    for (const identity of identities) {
      for (const { channel, address } of addressesOfIdentity(identity, deps.channels.names)) {
        for (const ticket of await store.ticketsOfContact(channel, address)) tickets.set(ticket.ticket_id, ticket);
      }
    }
    const own = profiles[0];
    const sorted = [...tickets.values()].sort((a, b) =>
      a.created_at !== b.created_at ? (a.created_at < b.created_at ? 1 : -1) : a.ticket_id < b.ticket_id ? 1 : -1,
    );
    const names = sorted.map((t) => t.contact.display_name).filter((n): n is string => !!n);
    return {
      contact_id: id,
      identity: identityOfContactId(id),
      name: own.name ?? names[0] ?? null,
      emails: own.emails,
      phones: own.phones,
      links: await Promise.all(
        own.links.map(async (l) => ({ contact_id: l, identity: identityOfContactId(l), name: (await profileOf(l)).name })),
      ),
      identities: [...identities],
      tickets: sorted.map(publicTicket),
    };
  }

  router.get('/contacts/:id', async (req, res) => {
    res.json(await view(contactId(req.params.id)));
  });

  router.patch('/contacts/:id', async (req, res) => {
    const id = contactId(req.params.id);
    const patch = jsonBody(patchBody, req.body, 'invalid_contact');
    await store.updateContactProfile(
      id,
      (p) => ({
        ...p,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.emails ? { emails: [...new Set(patch.emails)] } : {}),
        ...(patch.phones ? { phones: [...new Set(patch.phones)] } : {}),
      }),
      iso(),
    );
    res.json(await view(id));
  });

  // Links are written on both profiles, this one first; unlinking removes both. Either write alone is still a link
  // shown from one side, and repeating the request completes it (both are idempotent).
  router.post('/contacts/:id/links', async (req, res) => {
    const id = contactId(req.params.id);
    const other = jsonBody(linkBody, req.body, 'invalid_link').contact_id;
    if (!identityOfContactId(other)) throw new NotFoundError('contact_not_found', `No contact ${other.slice(0, 64)}.`);
    if (other === id) throw new ValidationError('invalid_link', 'A contact cannot be linked to itself.', { parameter: 'contact_id' });
    const add = (target: string) => (p: ContactProfile) => (p.links.includes(target) ? null : { ...p, links: [...p.links, target] });
    await store.updateContactProfile(id, add(other), iso());
    await store.updateContactProfile(other, add(id), iso());
    res.status(201).json(await view(id));
  });

  router.delete('/contacts/:id/links/:other_id', async (req, res) => {
    const id = contactId(req.params.id);
    const other = contactId(req.params.other_id);
    const drop = (target: string) => (p: ContactProfile) =>
      p.links.includes(target) ? { ...p, links: p.links.filter((l) => l !== target) } : null;
    await store.updateContactProfile(id, drop(other), iso());
    await store.updateContactProfile(other, drop(id), iso());
    res.status(204).end();
  });

  return router;
}
