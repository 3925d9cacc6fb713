// The contract between the core and a channel adapter (adapters/<name>/index.ts).
// Adapters see only these types: no express, no store, no config module (each declares its own config fragment).
import type { BusEvent, VisitorFrameChannel } from './bus.js';
import type { ChannelDeclaration } from './capabilities.js';
import type { InboundEvent, IngestOutcome } from './events.js';
import type { z } from 'zod';
import type { ConfigFragment, FragmentValues, SharedConfig } from './config.js';
import type { Channel, ContactRecord, DeliveryStatus, Message, Ticket } from './types.js';

export interface LoggerLike {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** A webhook request as the core hands it to an adapter: the raw bytes, before any parsing. */
export interface WebhookRequest {
  method: string;
  /** Path as mounted, e.g. `/webhooks/twilio/messaging/gather`. */
  path: string;
  /** Raw query string without `?` ('' when none). */
  rawQuery: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  /** PUBLIC_BASE_URL + path + ('?' + rawQuery when present): the URL the provider called. */
  publicUrl: string;
  requestId: string;
}

export interface WebhookResponse {
  status: number;
  contentType?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/** A chatbot decision requested synchronously (voice needs the answer inside the call). */
export interface BotTurn {
  reply: string | null;
  handoff: boolean;
}

/** What a running adapter may call back into the core. */
export interface ChannelContext {
  ingest(event: InboundEvent): Promise<IngestOutcome>;
  getTicket(ticketId: string): Promise<Ticket | null>;
  getMessages(ticketId: string): Promise<Message[]>;
  getContact(channel: Channel, address: string): Promise<ContactRecord | null>;
  /** The contact's newest ticket on that channel, open or closed. */
  lastTicketOf(channel: Channel, address: string): Promise<Ticket | null>;
  /** Run the chatbot now for the ticket's latest customer message, within `timeoutMs`; null if it took too long or is off. */
  botTurnNow(ticketId: string, timeoutMs: number): Promise<BotTurn | null>;
  /** Record a message the adapter already delivered itself (e.g. a spoken `<Say>`), deduplicated on external_id. */
  recordDelivered(
    ticketId: string,
    input: { author: 'bot' | 'system'; text: string; external_id: string; meta?: Record<string, unknown> },
  ): Promise<Message>;
  /** Mark the ticket for a human. */
  handoff(ticketId: string, reason: string): Promise<void>;
  subscribe(listener: (event: BusEvent) => void): () => void;
  /** Frames for visitors connected to other instances (EVENT_BUS=redis); absent or a no-op with one instance. */
  visitors?: VisitorFrameChannel;
  logger: LoggerLike;
  now(): Date;
}

/**
 * Whether a webhook request comes from the provider. A refusal is answered by the core (src/http/webhooks.ts) with
 * 403 `{"error":{"code","message"}}` and logged once, with the URLs a signature was checked against.
 */
export type WebhookVerification =
  | { ok: true }
  | {
      ok: false;
      /** Error code of the 403 body: `invalid_signature` (a signature that does not verify) or `unauthorized` (a missing or wrong secret), unless the channel already documents its own. */
      code: string;
      /** Short machine reason for the log (`bad_signature`, `no_auth_token`, `wrong_secret`…). */
      reason: string;
      /** The 403 body's sentence, for the provider's delivery log. */
      message: string;
      /** What the operator should check, for the log line (e.g. that PUBLIC_BASE_URL is the URL the provider calls). */
      hint: string;
      /** The URLs a signature was checked against (logged as `urls_tried`). */
      urls_tried?: string[];
    };

export interface WebhookRoute {
  method: 'POST' | 'GET';
  /** Express-style path, e.g. `/webhooks/twilio/messaging`. */
  path: string;
  /** Largest accepted body in bytes (413 beyond). Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Checks the request comes from the provider, before anything is parsed or stored. Pure: no I/O, no logging (the
   * context is there for its clock, e.g. to bound a signed timestamp).
   */
  verify(req: WebhookRequest, ctx: ChannelContext): WebhookVerification;
  /**
   * The check needs no body (URL token, Basic auth): the core runs it before reading the body, so an unauthenticated
   * client cannot make us buffer a large upload (`rawBody` is empty then).
   */
  verifyBeforeBody?: boolean;
  /** Runs only for verified requests; answers once ctx.ingest() resolved, i.e. after the durable write. */
  handle(req: WebhookRequest, ctx: ChannelContext): Promise<WebhookResponse>;
}

export interface OutboundSendRequest {
  ticket: Ticket;
  message: Message;
  contact: ContactRecord | null;
  /** Latest inbound customer message of the ticket (threading, WhatsApp 24 h window). */
  lastInbound: Message | null;
  /** All messages of the ticket, in time order (email References). */
  history: Message[];
}

export type SendResult =
  | { ok: true; provider_id: string; status: DeliveryStatus; extra_provider_ids?: string[]; meta?: Record<string, unknown> }
  | {
      ok: false;
      retryable: boolean;
      error_code: string;
      error_message: string;
      retry_after_ms?: number;
      /** The provider says the contact unsubscribed (e.g. Twilio 21610): record the opt-out on the contact. */
      contact_opted_out?: boolean;
      /**
       * The request may have reached the provider (connection reset or timeout after it was sent, a gateway error
       * without the provider's own answer): the core marks the delivery `unknown` and calls `reconcile` before any
       * resend. Only for senders that implement `reconcile`; others get a final `unknown` (never resent).
       */
      outcome_unknown?: boolean;
    };

/** What the provider says about an attempt whose outcome was unknown. */
export type ReconcileResult =
  /** The provider has it: recorded as sent with these ids, never resent. */
  | { state: 'sent'; result: Extract<SendResult, { ok: true }> }
  /** Certain it did not go: the core sends it (again). */
  | { state: 'not_sent' }
  /** The provider could not tell (lookup failed): asked again later, nothing resent meanwhile. */
  | { state: 'unknown'; reason: string };

export interface OutboundSender {
  channels: readonly Channel[];
  /** Refuse up front what can never be sent (opt-out, outside the WhatsApp window). */
  precheck?(req: OutboundSendRequest): { ok: true } | { ok: false; error_code: string; error_message: string };
  send(req: OutboundSendRequest): Promise<SendResult>;
  /**
   * Looks the message up at the provider after an attempt whose outcome is unknown (and after a crash during a send:
   * the core records each attempt as `unknown` before it starts when this is implemented). Read-only.
   */
  reconcile?(req: OutboundSendRequest): Promise<ReconcileResult>;
}

/** A WebSocket peer that is not an agent (web-chat visitor). */
export interface VisitorSocket {
  send(frame: Record<string, unknown>): void;
  close(code: number, reason: string): void;
  /** The client's IP address: the peer, or X-Forwarded-For through the TRUST_PROXY hops (as express's req.ip). */
  readonly remoteAddress: string;
}

export interface VisitorSession {
  /** One WebSocket message: its text, or `isBinary` for a binary frame (`raw` is then empty). */
  onFrame(raw: string, isBinary?: boolean): Promise<void>;
  onClose(): void;
}

export interface ChannelAdapter {
  /** Folder name, e.g. `twilio`. */
  name: string;
  routes: WebhookRoute[];
  /** null when credentials are missing: outbound on these channels is disabled (logged once). */
  sender: OutboundSender | null;
  /** Why `sender` is null, for the start-up log. */
  senderDisabledReason?: string;
  /** WebSocket visitors (web chat): called for each non-agent connection on /ws. */
  onVisitorConnection?(socket: VisitorSocket, ctx: ChannelContext, query: Record<string, string>): VisitorSession;
  /** Called once the core is wired, before the server listens. */
  start?(ctx: ChannelContext): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export interface AdapterDeps {
  logger: LoggerLike;
  now(): Date;
  /** The public base URL providers call us on (PUBLIC_BASE_URL, or the local listener). */
  publicBaseUrl: () => string;
  /**
   * A random secret kept for this deployment under `name` (generated on the first start, mode 0600 in DATA_DIR, the same
   * after a restart): for keys the configuration may leave unset. Absent in tests that build an adapter alone.
   */
  persistentSecret?: (name: string) => string;
}

export interface SimulateArgs {
  text: string;
  from?: string;
  options: Record<string, string>;
}

/** What `freeda simulate` gives a simulator (src/cli/simulate.ts). */
export interface SimulateEnv {
  /** Where the running server listens (may differ from PUBLIC_BASE_URL behind a proxy). */
  serverUrl: string;
  print(line: string): void;
  /**
   * Waits for the reply that follows the customer message `afterExternalId` on the ticket and prints it (read back through
   * the API with the CLI's token), or says why it cannot.
   */
  showReply(ticketId: string, afterExternalId: string, options?: { waitSeconds?: number; noReplyHint?: string }): Promise<void>;
}

/** Sends one real-shaped inbound (webhook or WebSocket frames) to a running server and prints what happened. */
export type Simulator = (args: SimulateArgs, env: SimulateEnv) => Promise<void>;

/**
 * What a channel folder exports; src/registry.ts lists them. `S` is the shape of the module's own configuration keys:
 * `create` and `simulators` get them parsed and typed, plus the core keys every adapter may read (SharedConfig).
 */
export interface ChannelModule<S extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  /** The channels this module serves and what each can do; read at composition time (the core's ChannelCatalog). */
  channels: readonly ChannelDeclaration[];
  /** Its environment keys, parsed by src/config.ts together with the core's (one line per problem at start). */
  config: ConfigFragment<S>;
  create(config: FragmentValues<S> & SharedConfig, deps: AdapterDeps): ChannelAdapter;
  /** `freeda simulate <kind>` implementations for this configuration, keyed by kind (sms, whatsapp, voice, email, chat). */
  simulators?(config: FragmentValues<S> & SharedConfig): Record<string, Simulator>;
}
