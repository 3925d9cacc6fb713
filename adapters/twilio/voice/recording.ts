// Download of a voicemail recording. Twilio credentials (Basic account sid + auth token) go only to hosts
// allowed by `mayReceiveCredentials` (default: https *.twilio.com); redirects are followed by hand so the
// Authorization header is dropped the moment a hop leaves those hosts (Twilio redirects media to a CDN).

/** Default credential policy: Twilio's own hosts over https. */
export function isTwilioHost(url: URL): boolean {
  if (url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  return host === 'twilio.com' || host.endsWith('.twilio.com');
}

/**
 * With TWILIO_API_BASE_URL set (tests, demos against a fake Twilio), a recording URL on api.twilio.com is fetched
 * from that base instead, keeping path and query. Other URLs are left alone.
 */
export function rewriteToApiBase(recordingUrl: string, apiBaseUrl: string | undefined): string {
  if (!apiBaseUrl) return recordingUrl;
  let url: URL;
  try {
    url = new URL(recordingUrl);
  } catch {
    return recordingUrl;
  }
  if (url.hostname.toLowerCase() !== 'api.twilio.com') return recordingUrl;
  return apiBaseUrl.replace(/\/+$/, '') + url.pathname + url.search;
}

export interface RecordingFetchOptions {
  accountSid?: string;
  authToken?: string;
  mayReceiveCredentials(url: URL): boolean;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  fetch?: typeof fetch;
}

export interface FetchedRecording {
  bytes: Uint8Array;
  contentType: string;
  /** Hosts visited and whether credentials were sent to each, for the log. */
  hops: Array<{ host: string; withCredentials: boolean; status: number }>;
}

export class RecordingFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingFetchError';
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new RecordingFetchError(`recording is ${declared} bytes, over the ${maxBytes} limit`);
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new RecordingFetchError(`recording is over the ${maxBytes} bytes limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function fetchRecording(rawUrl: string, options: RecordingFetchOptions): Promise<FetchedRecording> {
  const doFetch = options.fetch ?? fetch;
  const maxRedirects = options.maxRedirects ?? 5;
  const signal = AbortSignal.timeout(options.timeoutMs);
  const hops: FetchedRecording['hops'] = [];
  let url = new URL(rawUrl);
  for (let hop = 0; hop <= maxRedirects; hop++) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RecordingFetchError(`refusing to fetch a ${url.protocol} URL`);
    const withCredentials = Boolean(options.accountSid && options.authToken) && options.mayReceiveCredentials(url);
    const headers: Record<string, string> = { accept: 'audio/*' };
    if (withCredentials) {
      headers.authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
    }
    const response = await doFetch(url, { headers, redirect: 'manual', signal });
    hops.push({ host: url.host, withCredentials, status: response.status });
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (!location) throw new RecordingFetchError(`redirect ${response.status} without Location`);
      url = new URL(location, url);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new RecordingFetchError(`recording download failed with HTTP ${response.status} from ${url.host}`);
    }
    const bytes = await readCapped(response, options.maxBytes);
    if (bytes.byteLength === 0) throw new RecordingFetchError('recording is empty');
    return { bytes, contentType: response.headers.get('content-type')?.split(';')[0]?.trim() || 'audio/mpeg', hops };
  }
  throw new RecordingFetchError(`more than ${maxRedirects} redirects`);
}
