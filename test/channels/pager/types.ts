// Pager: a made-up SMS-like provider that exists only to prove the one-folder rule (test/channels/one-folder.test.ts).
// It signs its JSON webhooks with HMAC-SHA256 and takes replies on a small REST API.
import { declareChannel } from '../../../src/domain/capabilities.js';

export const PAGER_CHANNEL = 'pager';
export const INBOUND_PATH = '/webhooks/pager/inbound';
export const SIGNATURE_HEADER = 'x-pager-signature';

/** Pager screens show one line of 160 characters: replies are shaped for it. */
export const PAGER_CHANNEL_DECLARATION = declareChannel(
  { name: PAGER_CHANNEL, label: 'Pager' },
  {
    max_chars: 160,
    single_line: true,
    style: { fr: 'Pager : une ligne, texte brut.', en: 'Pager: one line, plain text.' },
  },
);

/** The webhook body Pager posts for a message from a subscriber. */
export interface PagerInbound {
  id: string;
  from: string;
  text: string;
  sent_at: string | null;
}
