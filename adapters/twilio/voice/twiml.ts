// TwiML answers of the call flow, built only with twilio's VoiceResponse (it escapes text and attributes).
// Pure: URLs and texts come in, an XML string goes out.
import twilio from 'twilio';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type SayAttributes = Parameters<VoiceResponse['say']>[0] & object;

export const VOICE_LANGUAGE = 'fr-FR';
/** Voicemail length cap (seconds): bounded so a forgotten line does not record for an hour. */
export const VOICEMAIL_MAX_SECONDS = 120;

export const PHRASES = {
  greeting: "Bonjour, vous êtes bien au service client. Dites-nous en quelques mots l'objet de votre appel.",
  reprompt: 'Je ne vous ai pas entendu. Pouvez-vous décrire votre demande en quelques mots ?',
  holding: 'Un instant, je transmets votre demande à un conseiller…',
  anythingElse: 'Avez-vous autre chose à ajouter ?',
  handoff: 'Un conseiller va vous rappeler dans les meilleurs délais. Merci de votre appel, au revoir.',
  voicemail: 'Vous pouvez laisser un message après le bip. Raccrochez quand vous avez terminé.',
  voicemailSaved: 'Merci, votre message a bien été enregistré. Un conseiller vous rappellera. Au revoir.',
  technicalIssue: 'Excusez-nous, nous rencontrons un petit souci technique. Pouvez-vous répéter votre demande ?',
} as const;

/** Longest bot answer we read out (characters); a phone caller cannot skim. */
export const MAX_SPOKEN_CHARS = 600;

/**
 * A chat-style bot answer made fit to be read aloud: markdown marks, emoji and raw URLs removed, whitespace collapsed,
 * cut at a sentence end under MAX_SPOKEN_CHARS. What is spoken is also what gets stored on the ticket.
 */
export function speakableText(text: string): string {
  let spoken = text
    .replace(/\[([^\]]+)\]\((?:[^)]+)\)/g, '$1')
    .replace(/https?:\/\/\S+/g, '')
    .replace(/[*_`#>|~]+/g, ' ')
    .replace(/^\s*[-•]\s+/gm, '')
    .replace(/\p{Extended_Pictographic}\uFE0F?/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (spoken.length > MAX_SPOKEN_CHARS) {
    const cut = spoken.slice(0, MAX_SPOKEN_CHARS);
    const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('? '), cut.lastIndexOf('! '));
    spoken = end > MAX_SPOKEN_CHARS / 3 ? cut.slice(0, end + 1) : `${cut.slice(0, cut.lastIndexOf(' '))}…`;
  }
  return spoken;
}

export interface TwimlStyle {
  /** `<Say voice>` (e.g. `Polly.Lea`); Twilio's default French voice when unset. */
  voice?: string;
}

function say(response: VoiceResponse, text: string, style: TwimlStyle): void {
  const attributes = { language: VOICE_LANGUAGE, ...(style.voice ? { voice: style.voice } : {}) } as SayAttributes;
  response.say(attributes, text);
}

/**
 * `<Gather input="speech" language="fr-FR">` posting to `actionUrl`, then a `<Redirect>` to the same URL: Twilio
 * posts an empty result itself (actionOnEmptyResult), the redirect only catches a Gather that falls through anyway.
 */
function gatherSpeech(response: VoiceResponse, actionUrl: string): void {
  response.gather({
    input: ['speech'],
    language: VOICE_LANGUAGE,
    speechTimeout: 'auto',
    action: actionUrl,
    method: 'POST',
    actionOnEmptyResult: true,
  });
  response.redirect({ method: 'POST' }, actionUrl);
}

function render(response: VoiceResponse): string {
  return response.toString();
}

/** Call start: greeting, then listen. */
export function greetingTwiml(actionUrl: string, style: TwimlStyle = {}): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, PHRASES.greeting, style);
  gatherSpeech(response, actionUrl);
  return render(response);
}

/** The bot's spoken answer, then listen for the next turn. */
export function botReplyTwiml(reply: string, nextActionUrl: string, style: TwimlStyle = {}): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, reply, style);
  gatherSpeech(response, nextActionUrl);
  return render(response);
}

/** The bot did not answer in time: never leave the caller in silence, keep listening. */
export function holdingTwiml(nextActionUrl: string, style: TwimlStyle = {}): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, PHRASES.holding, style);
  say(response, PHRASES.anythingElse, style);
  gatherSpeech(response, nextActionUrl);
  return render(response);
}

/** Nothing heard: ask once more. */
export function repromptTwiml(actionUrl: string, style: TwimlStyle = {}): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, PHRASES.reprompt, style);
  gatherSpeech(response, actionUrl);
  return render(response);
}

/** Something broke on our side: apologise and keep listening (never hang up on an error). */
export function technicalIssueTwiml(actionUrl: string, style: TwimlStyle = {}): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, PHRASES.technicalIssue, style);
  gatherSpeech(response, actionUrl);
  return render(response);
}

/** Hand-off to a person: optional last bot sentence, the call-back promise, hang up. */
export function handoffTwiml(botReply: string | null, style: TwimlStyle = {}): string {
  const response = new twilio.twiml.VoiceResponse();
  if (botReply) say(response, botReply, style);
  say(response, PHRASES.handoff, style);
  response.hangup();
  return render(response);
}

export interface VoicemailUrls {
  /** Where Twilio posts when the recording ends (answers the goodbye). */
  actionUrl: string;
  /** Where Twilio posts once the file is ready (the reliable signal: stores the message). */
  recordingStatusCallbackUrl: string;
  /** Twilio's own transcription callback; only when Twilio transcription is turned on (English only). */
  transcribeCallbackUrl?: string;
}

/** Two empty gathers: voicemail. */
export function voicemailTwiml(urls: VoicemailUrls, style: TwimlStyle = {}): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, PHRASES.voicemail, style);
  response.record({
    maxLength: VOICEMAIL_MAX_SECONDS,
    playBeep: true,
    timeout: 5,
    action: urls.actionUrl,
    method: 'POST',
    recordingStatusCallback: urls.recordingStatusCallbackUrl,
    recordingStatusCallbackMethod: 'POST',
    ...(urls.transcribeCallbackUrl ? { transcribe: true, transcribeCallback: urls.transcribeCallbackUrl } : {}),
  });
  return render(response);
}

/** After `<Record>`: thank and hang up. */
export function voicemailSavedTwiml(style: TwimlStyle = {}): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, PHRASES.voicemailSaved, style);
  response.hangup();
  return render(response);
}

/** Acknowledgement of a callback whose answer Twilio ignores (status, recording, transcription). */
export function emptyTwiml(): string {
  return render(new twilio.twiml.VoiceResponse());
}
