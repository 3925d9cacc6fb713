// Twilio Voice: phone calls → `telephone` tickets. Mounted by the twilio module (../index.ts).
import { createVoiceRoutes, type VoiceRoutesOptions } from './routes.js';
import { createMistralTranscriber } from './transcribe.js';
import type { VoiceConfig } from './types.js';

export { createVoiceRoutes, VOICE_PATHS, type VoiceRoutesOptions } from './routes.js';
export { simulateVoice } from './simulate.js';

/** Transcription has the recording callback's ~15 s minus the download: never more than 9 s. */
const MAX_TRANSCRIPTION_MS = 9000;

/** Voice route options from the app config (TWILIO_*, MISTRAL_*). */
export function voiceOptionsFromConfig(config: VoiceConfig, publicBaseUrl: () => string): VoiceRoutesOptions {
  return {
    authToken: config.TWILIO_AUTH_TOKEN,
    accountSid: config.TWILIO_ACCOUNT_SID,
    publicBaseUrl,
    ...(config.TWILIO_API_BASE_URL ? { twilioApiBaseUrl: config.TWILIO_API_BASE_URL } : {}),
    transcriber: config.MISTRAL_API_KEY
      ? createMistralTranscriber({
          apiKey: config.MISTRAL_API_KEY,
          ...(config.MISTRAL_SERVER_URL ? { serverUrl: config.MISTRAL_SERVER_URL } : {}),
          timeoutMs: Math.min(config.MISTRAL_TIMEOUT_MS ?? MAX_TRANSCRIPTION_MS, MAX_TRANSCRIPTION_MS),
        })
      : null,
  };
}

/** The voice routes of a configured app: what ../index.ts spreads into the twilio adapter's routes. */
export function voiceRoutesFromConfig(config: VoiceConfig, publicBaseUrl: () => string) {
  return createVoiceRoutes(voiceOptionsFromConfig(config, publicBaseUrl));
}
