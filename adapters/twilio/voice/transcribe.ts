// Voicemail transcription with Mistral's audio API (Voxtral) through the official SDK.
import type { Mistral } from '@mistralai/mistralai';
import type { VoicemailTranscriber } from './types.js';

export const DEFAULT_TRANSCRIPTION_MODEL = 'voxtral-mini-latest';

export interface MistralTranscriberOptions {
  apiKey: string;
  /** Without `/v1` (the SDK appends `/v1/audio/transcriptions`); Mistral's global server when unset. */
  serverUrl?: string;
  model?: string;
  /** Per-request budget; the recording callback has ~15 s before Twilio gives up on it. */
  timeoutMs: number;
}

export function createMistralTranscriber(options: MistralTranscriberOptions): VoicemailTranscriber {
  // The SDK takes seconds to import: load it on the first voicemail, not at start-up.
  let sdk: Promise<Mistral> | null = null;
  const load = () =>
    (sdk ??= import('@mistralai/mistralai').then(
      ({ Mistral: MistralSdk }) =>
        new MistralSdk({
          apiKey: options.apiKey,
          ...(options.serverUrl ? { serverURL: options.serverUrl.replace(/\/+$/, '').replace(/\/v1$/, '') } : {}),
          timeoutMs: options.timeoutMs,
          retryConfig: { strategy: 'none' },
        }),
    ));
  const model = options.model ?? DEFAULT_TRANSCRIPTION_MODEL;
  return async (audio) => {
    const client = await load();
    const result = await client.audio.transcriptions.complete(
      {
        model,
        file: { fileName: audio.fileName, content: new Blob([new Uint8Array(audio.bytes)], { type: audio.contentType }) },
        language: 'fr',
      },
      { timeoutMs: options.timeoutMs, retries: { strategy: 'none' } },
    );
    const text = (result.text ?? '').replace(/\s+/g, ' ').trim();
    if (!text) throw new Error('the transcription came back empty');
    return text;
  };
}
