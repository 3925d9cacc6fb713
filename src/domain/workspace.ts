// The agent workspace's records (issue #16): canned replies, contact profiles across channels, label corrections.
// Pure: no I/O. Stores persist CannedReply and ContactProfile as they are.
import { decodeBase64url } from './base64url.js';
import type { Analytics, Category, LabelCorrection, Sentiment, Ticket, Urgency } from './types.js';

export interface CannedReply {
  canned_id: string;
  /** Typed after `/` in the reply box: lower-case letters, digits, `-` and `_`; unique. */
  shortcut: string;
  title: string;
  /** May hold {{contact.name}}, {{agent.name}}, {{ticket.id}}. */
  text: string;
  created_at: string;
  updated_at: string;
  /** Soft delete: the json journal needs a record to say it is gone. Never returned by the API. */
  deleted: boolean;
}

/**
 * One person across channels. Its id is the base64url of its first identity (`tel:+33…`, `mailto:…`,
 * `<channel>:<address>`), so a ticket's contact has an id before any profile is written.
 */
export interface ContactProfile {
  contact_id: string;
  name: string | null;
  emails: string[];
  phones: string[];
  /** Other contacts an agent said are the same person (kept on both sides; unlink removes both). */
  links: string[];
  updated_at: string;
  version: number;
}

const PHONE = /^(?:whatsapp:)?(\+\d{6,15})$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The identity an address stands for: a phone number is the same person on SMS, WhatsApp and voice. */
export function identityOf(channel: string, address: string): string {
  const phone = PHONE.exec(address);
  if (phone) return `tel:${phone[1]}`;
  if (EMAIL.test(address)) return `mailto:${address.toLowerCase()}`;
  return `${channel}:${address}`;
}

export const contactIdOf = (channel: string, address: string): string => Buffer.from(identityOf(channel, address)).toString('base64url');

/** The identity a contact id was made from, or null when it is not one of ours. */
export function identityOfContactId(contactId: string): string | null {
  if (contactId.length > 700) return null;
  const bytes = decodeBase64url(contactId);
  const identity = bytes?.toString('utf8') ?? '';
  return /^[a-z][a-z0-9_-]*:\S+$/.test(identity) && Buffer.from(identity).toString('base64url') === contactId ? identity : null;
}

export function emptyProfile(contactId: string, now: string): ContactProfile {
  return { contact_id: contactId, name: null, emails: [], phones: [], links: [], updated_at: now, version: 0 };
}

/** Addresses (per channel form) under which an identity's tickets are stored. */
export function addressesOfIdentity(identity: string, channels: readonly string[]): { channel: string; address: string }[] {
  const colon = identity.indexOf(':');
  const kind = identity.slice(0, colon);
  const value = identity.slice(colon + 1);
  if (kind === 'tel')
    return channels.flatMap((channel) => [
      { channel, address: value },
      { channel, address: `whatsapp:${value}` },
    ]);
  if (kind === 'mailto') return channels.map((channel) => ({ channel, address: value }));
  return channels.includes(kind) ? [{ channel: kind, address: value }] : [];
}

// ---------------------------------------------------------------- label corrections

export interface LabelPatch {
  sentiment?: Sentiment;
  category?: Category;
  urgency?: Urgency;
}

/** Analyzer output with the agent's corrected labels laid over it (source `agent` when any label was corrected). */
export function withCorrections(analytics: Analytics, corrections: LabelCorrection | null | undefined): Analytics {
  if (!corrections) return analytics;
  return {
    ...analytics,
    sentiment: corrections.sentiment ?? analytics.sentiment,
    category: corrections.category ?? analytics.category,
    urgency: corrections.urgency ?? analytics.urgency,
    source: 'agent',
  };
}

/** The ticket after an agent corrected some labels. Labels never analysed get the patch and neutral defaults. */
export function correctLabels(ticket: Ticket, patch: LabelPatch, agentId: string | null, now: string): Ticket {
  const previous = ticket.label_corrections;
  const current = ticket.analytics;
  const corrections: LabelCorrection = {
    ...(previous ?? {}),
    ...patch,
    machine:
      previous?.machine ??
      (current
        ? {
            sentiment: current.sentiment,
            category: current.category,
            urgency: current.urgency,
            source: current.source,
            model: current.model,
          }
        : null),
    agent_id: agentId,
    corrected_at: now,
  };
  const base: Analytics = current ?? {
    sentiment: 'neutre',
    category: 'autre',
    urgency: 'basse',
    summary: '',
    analyzed_at: now,
    source: 'agent',
    model: null,
  };
  return { ...ticket, label_corrections: corrections, analytics: withCorrections(base, corrections), updated_at: now };
}

// ---------------------------------------------------------------- canned replies

export interface CannedContext {
  contactName: string | null;
  agentName: string | null;
  ticketId: string;
}

/** {{contact.name}}, {{agent.name}}, {{ticket.id}}; an unknown name is left empty, unknown variables stay as typed. */
export function renderCanned(text: string, ctx: CannedContext): string {
  const values: Record<string, string> = {
    'contact.name': ctx.contactName ?? '',
    'agent.name': ctx.agentName ?? '',
    'ticket.id': ctx.ticketId,
  };
  return text.replace(/\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}
