// Response shapes of the API as zod schemas, for the OpenAPI document (request bodies are the routes' own schemas).
// Loose where the model grows (extra properties allowed), exact on what clients rely on.
import { z } from 'zod';
import { CATEGORIES, DELIVERY_STATUSES, SENTIMENTS, TICKET_STATUSES, URGENCIES } from '../../domain/types.js';

const isoInstant = z.string().meta({ format: 'date-time' });

export const errorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
  })
  .meta({ id: 'Error' });

export const analyticsSchema = z
  .looseObject({
    sentiment: z.enum(SENTIMENTS),
    category: z.enum(CATEGORIES),
    urgency: z.enum(URGENCIES),
    summary: z.string(),
    analyzed_at: isoInstant,
    source: z.string(),
    model: z.string().nullable(),
  })
  .meta({ id: 'Analytics' });

export const ticketSchema = z
  .looseObject({
    ticket_id: z.string(),
    status: z.enum(TICKET_STATUSES),
    channel: z.string(),
    contact: z.looseObject({ address: z.string(), display_name: z.string().nullable().optional() }),
    subject: z.string().nullable(),
    created_at: isoInstant,
    updated_at: isoInstant,
    closed_at: isoInstant.nullable(),
    resolution_duration: z.number().int().nullable(),
    handled_by: z.enum(['bot', 'agent']),
    analytics: analyticsSchema.nullable(),
    previous_ticket_id: z.string().nullable(),
    reopen_count: z.number().int(),
    messages_count: z.number().int(),
    last_message_at: isoInstant.nullable(),
  })
  .meta({ id: 'Ticket' });

export const messageSchema = z
  .looseObject({
    message_id: z.string(),
    ticket_id: z.string(),
    direction: z.enum(['inbound', 'outbound']),
    author: z.enum(['customer', 'bot', 'agent', 'system']),
    text: z.string(),
    attachments: z.array(z.looseObject({ content_type: z.string(), size: z.number().nullable() })),
    external_id: z.string().nullable(),
    created_at: isoInstant,
    delivery: z
      .looseObject({
        status: z.enum(DELIVERY_STATUSES),
        error_code: z.string().nullable(),
        error_message: z.string().nullable(),
        attempts: z.number().int(),
        provider_id: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'Message' });

export const ticketPageSchema = z.object({ items: z.array(ticketSchema), next_cursor: z.string().nullable() }).meta({ id: 'TicketPage' });
export const ticketWithMessagesSchema = z
  .intersection(ticketSchema, z.looseObject({ messages: z.array(messageSchema) }))
  .meta({ id: 'TicketWithMessages' });

export const channelsSchema = z
  .object({ items: z.array(z.object({ name: z.string(), label: z.string(), written_replies: z.boolean() })) })
  .meta({ id: 'Channels' });

const counts = z.record(z.string(), z.number().int());
const percentiles = z.object({ p50: z.number().nullable(), p90: z.number().nullable(), count: z.number().int() });
export const statsSchema = z
  .object({
    filter: z.record(z.string(), z.unknown()),
    group_by: z.enum(['day', 'week']),
    totals: z.object({
      tickets: z.number().int(),
      by_channel: counts,
      by_status: counts,
      by_category: counts,
      by_sentiment: counts,
      by_urgency: counts,
    }),
    first_response_seconds: percentiles,
    resolution_seconds: percentiles,
    bot_only_share: z.number().nullable(),
    series: z.array(
      z.object({
        period: z.string(),
        tickets: z.number().int(),
        by_channel: counts,
        by_status: counts,
        first_response_seconds: percentiles,
        resolution_seconds: percentiles,
        bot_only_share: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: 'Stats' });

export const healthSchema = z.looseObject({ status: z.string() }).meta({ id: 'Health' });

const delivery = z.looseObject({
  delivery_id: z.string(),
  event_id: z.string(),
  type: z.string(),
  url: z.string(),
  state: z.enum(['pending', 'delivered', 'dead']),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  event: z.object({ id: z.string(), type: z.string(), created_at: isoInstant, data: z.unknown() }),
});
export const outgoingDeliverySchema = delivery.meta({ id: 'OutgoingDelivery' });
export const outgoingStatusSchema = z
  .object({ enabled: z.boolean(), urls: z.array(z.string()), pending: z.number().int(), dead: z.number().int() })
  .meta({ id: 'OutgoingWebhooksStatus' });
export const outgoingDeadSchema = z.object({ items: z.array(outgoingDeliverySchema) }).meta({ id: 'OutgoingDeadLetters' });
