// Live events: what the pipeline publishes on the event bus (WebSocket hub, web-chat visitors, later outgoing webhooks).
// Adding an event = one line in BusEventPayloads; subscribers narrow on `type` and get the payload typed.
import type { PublicMessage, PublicTicket } from './ticket.js';

export interface BusEventPayloads {
  'ticket.created': PublicTicket;
  'ticket.updated': PublicTicket;
  /** Carries closed_at and resolution_duration (set on close, cleared on reopen). */
  'ticket.status_changed': PublicTicket;
  'message.created': PublicMessage;
  'message.updated': PublicMessage;
  /** Agent workspace (#16): the ticket with its new assignee_id (null: unassigned). */
  'ticket.assigned': PublicTicket;
  /** An agents' internal note: agents only, never forwarded to a channel or a visitor. */
  'note.created': PublicMessage;
  /** Labels stored by an analysis (published after its ticket.updated); carries the ticket with `analytics`. */
  'ticket.analyzed': PublicTicket;
}

export type BusEventType = keyof BusEventPayloads;

/** One member per event type: `{type: 'message.created', data: PublicMessage}` … */
export type BusEvent = { [T in BusEventType]: { type: T; data: BusEventPayloads[T] } }[BusEventType];

/** A frame for a web-chat visitor whose socket may be open on another instance. */
export interface VisitorFrame {
  channel: string;
  /** The visitor's contact address. */
  visitor: string;
  frame: Record<string, unknown>;
}

/** The bus's visitor channel: frames published here reach the other instances (a no-op with one instance). */
export interface VisitorFrameChannel {
  publish(frame: VisitorFrame): void;
  subscribe(listener: (frame: VisitorFrame) => void): () => void;
}
