// The storage port. Every store (json journal, DynamoDB) passes test/storage/contract.ts.
import type { Channel, Contact, ContactRecord, Message, Ticket, TicketStatus } from '../domain/types.js';
import type { CannedReply, ContactProfile } from '../domain/workspace.js';

/** A ticket a search found: what orders and pages results without reading the ticket. */
export interface SearchHit {
  ticket_id: string;
  created_at: string;
}

/** The agent workspace's records (issue #16). Every store implements them; contract tests in test/storage/workspace-contract.ts. */
export interface WorkspaceStore {
  /** Every ticket of the contact on that channel (any status), oldest first. */
  ticketsOfContact(channel: Channel, address: string): Promise<Ticket[]>;
  /**
   * Tickets whose indexed text (domain/search.ts: ticket id, contact, subject, message texts) holds every token,
   * newest first by (created_at, ticket_id). Tokens come from queryTokens(); an empty list finds nothing.
   */
  searchTickets(tokens: string[]): Promise<SearchHit[]>;
  /** Canned replies not deleted, by shortcut. */
  listCannedReplies(): Promise<CannedReply[]>;
  getCannedReply(cannedId: string): Promise<CannedReply | null>;
  /** Create or replace (a delete is a put with `deleted: true`). */
  putCannedReply(reply: CannedReply): Promise<void>;
  getContactProfile(contactId: string): Promise<ContactProfile | null>;
  /**
   * Optimistic read-modify-write of a profile; `mutate` gets an empty profile when none is stored yet. Returns the
   * stored profile (unchanged when `mutate` returns null).
   */
  updateContactProfile(contactId: string, mutate: (profile: ContactProfile) => ContactProfile | null, now: string): Promise<ContactProfile>;
}
import type { RecordStore } from './records.js';

export interface TicketFilter {
  status?: TicketStatus;
  channels?: Channel[];
  /** Inclusive bounds on created_at (ISO strings, already expanded to full instants). */
  created_from?: string;
  created_to?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** One inbound (or system) message to store, with everything needed to pick its ticket atomically. */
export interface IngestInput {
  channel: Channel;
  contact: Contact;
  /** Ticket the thread hints point to; used only if open and of the same channel + contact. */
  preferred_ticket_id?: string | null;
  /** Set when the hints pointed at another contact's ticket: the new ticket links to it. */
  linked_ticket_id?: string | null;
  /**
   * When false, do not join the contact's open ticket by address alone: only preferred_ticket_id can be joined,
   * otherwise a new ticket is opened (email threads by headers, never by sender). Default true.
   */
  join_open_ticket?: boolean;
  /** When false, never open a ticket: store only if the contact has one (else `no_ticket`). */
  may_open_ticket: boolean;
  subject?: string | null;
  /** The message; `ticket_id` and `message_id` are assigned by the store. */
  message: Omit<Message, 'ticket_id' | 'message_id'>;
  now: string;
}

export type IngestResult =
  | { kind: 'stored'; ticket: Ticket; message: Message; ticket_created: boolean; duplicate: false }
  | { kind: 'duplicate'; ticket: Ticket; message: Message; duplicate: true }
  | { kind: 'no_ticket' };

/**
 * Whether writes work. `degraded`: writes are refused with 503 (disk full, I/O error) and the store is probing to
 * resume on its own; `failed`: it cannot recover in this process (restart needed). `action` says what to do.
 */
export type StoreHealth =
  | { state: 'ok' }
  | { state: 'degraded'; code: 'storage_full' | 'storage_unavailable'; since: string; detail: string; action: string }
  | { state: 'failed'; code: 'storage_failed'; since: string; detail: string; action: string };

/** A pure change to apply to a ticket; return null to leave it as it is. */
export type TicketMutation = (ticket: Ticket) => Ticket | null;
export type MessageMutation = (message: Message) => Message | null;

/** Tickets and messages, the agent workspace's records, and the generic records (agents, tokens, audit: records.ts). */
export interface TicketStore extends WorkspaceStore, RecordStore {
  readonly kind: 'json' | 'dynamodb';
  /** Open the store (load, lock, create). Throws a clear Error when it cannot. */
  open(): Promise<void>;
  /** Flush and release. */
  close(): Promise<void>;
  /** Readiness: resolves when the store can serve reads and writes. */
  ping(): Promise<void>;
  /** Write health (stores that can degrade; absent means ping() tells all). */
  health?(): StoreHealth;
  /**
   * Called each time writes work again after a degraded period. Writes refused meanwhile may be durable now, and
   * follow-up work that failed was dropped: the app re-runs its start-up rebuild and outbound resume.
   */
  onRecovered?(listener: () => void): void;

  /**
   * Atomically: dedup on (channel, message.external_id) → join the contact's open ticket on that channel
   * (or preferred_ticket_id) or open a new one (linked to the contact's last closed ticket) → append.
   * Resolves only once durable. A duplicate resolves with the first stored copy (also durable).
   */
  ingest(input: IngestInput): Promise<IngestResult>;

  /**
   * Append a message we produced (bot/agent/system) to an existing ticket; dedup on (ticket channel, external_id)
   * when set. `mutateTicket` is applied to the ticket in the same write (e.g. mark the bot decision taken).
   * Throws NotFoundError when the ticket does not exist.
   */
  appendMessage(
    ticketId: string,
    message: Omit<Message, 'ticket_id' | 'message_id'> & { message_id?: string },
    mutateTicket?: TicketMutation,
  ): Promise<{ message: Message; ticket: Ticket; duplicate: boolean }>;

  getTicket(ticketId: string): Promise<Ticket | null>;
  getMessages(ticketId: string): Promise<Message[]>;
  getMessage(ticketId: string, messageId: string): Promise<Message | null>;
  findMessageByExternalId(channel: Channel, externalId: string): Promise<Message | null>;
  findMessageByProviderId(channel: Channel, providerId: string): Promise<Message | null>;
  /** Index extra provider ids (split SMS, email Message-ID we generated) to a message. */
  indexProviderIds(channel: Channel, ticketId: string, messageId: string, providerIds: string[]): Promise<void>;

  /** Newest first by created_at then ticket_id; cursor is opaque. */
  listTickets(filter: TicketFilter, limit: number, cursor?: string | null): Promise<Page<Ticket>>;
  /** All matching tickets, oldest first, streamed (exports). */
  iterateTickets(filter: TicketFilter): AsyncIterable<Ticket>;

  /** Optimistic read-modify-write; retried internally on version conflicts. Returns the stored ticket. */
  updateTicket(ticketId: string, mutate: TicketMutation): Promise<Ticket | null>;
  updateMessage(ticketId: string, messageId: string, mutate: MessageMutation): Promise<Message | null>;
  /**
   * Move a ticket between `en cours` and `fermé` (keeps the contact's open-ticket index right).
   * Returns null when the ticket does not exist; `changed: false` when it already had that status.
   */
  setStatus(ticketId: string, status: TicketStatus, now: string): Promise<{ ticket: Ticket; changed: boolean } | null>;

  /** The contact's newest ticket on that channel, open or closed (web-chat resume). */
  lastTicketOf(channel: Channel, address: string): Promise<Ticket | null>;
  getContact(channel: Channel, address: string): Promise<ContactRecord | null>;
  upsertContact(
    channel: Channel,
    address: string,
    patch: Partial<Omit<ContactRecord, 'channel' | 'address'>>,
    now: string,
  ): Promise<ContactRecord>;

  /** Outbound messages still to send (delivery.status queued with next_attempt_at set), oldest first. */
  listPendingOutbound(): Promise<Message[]>;
  /** Open tickets whose latest customer message has no bot decision or analytics yet (work queue rebuild). */
  listTicketsNeedingWork(): Promise<Ticket[]>;
}
