// Replies through the Pager API: POST {base}/v1/messages {to, text} with the bearer key. Retries are the core's job:
// this only says whether a failure is worth retrying.
import type { OutboundSender, SendResult } from '../../../src/domain/channel.js';
import { PAGER_CHANNEL } from './types.js';

export function createPagerSender(options: { apiBaseUrl: string; apiKey: string }): OutboundSender {
  return {
    channels: [PAGER_CHANNEL],
    async send({ ticket, message }): Promise<SendResult> {
      let res: Response;
      try {
        res = await fetch(`${options.apiBaseUrl.replace(/\/+$/, '')}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ to: ticket.contact.address, text: message.text, reference: message.message_id }),
          signal: AbortSignal.timeout(5000),
        });
      } catch (err) {
        return { ok: false, retryable: true, error_code: 'network_error', error_message: (err as Error).message };
      }
      const body = (await res.json().catch(() => ({}))) as { id?: unknown; error?: unknown };
      if (res.ok && typeof body.id === 'string') return { ok: true, provider_id: body.id, status: 'sent' };
      return {
        ok: false,
        retryable: res.status === 429 || res.status >= 500,
        error_code: `pager_${res.status}`,
        error_message: typeof body.error === 'string' ? body.error : `Pager answered HTTP ${res.status}`,
      };
    },
  };
}
