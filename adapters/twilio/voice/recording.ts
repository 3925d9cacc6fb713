// Download of a voicemail recording, from Twilio only (a forged RecordingUrl must not make us fetch an internal address
// and store what came back: SSRF). Allowed: https://api.twilio.com, whose addresses must resolve to public unicast ones
// (checked at connect time by request-filtering-agent, so DNS rebinding cannot slip a private address in), and the
// TWILIO_API_BASE_URL origin exactly as configured (a regional edge, or a local fake in tests and demos: no address
// check there, it is the operator's own setting). Redirects are followed by hand and only within those origins; the
// Twilio credentials go to nothing else.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { RequestFilteringHttpsAgent } from 'request-filtering-agent';

export const TWILIO_API_ORIGIN = 'https://api.twilio.com';

/** Resolved hosts must be public: loopback, private, link-local (cloud metadata) and reserved ranges are refused. */
const publicOnly = new RequestFilteringHttpsAgent({ keepAlive: false });

/**
 * With TWILIO_API_BASE_URL set (a regional edge, or a fake Twilio in tests and demos), a recording URL on api.twilio.com
 * is fetched from that base instead, keeping path and query. Other URLs are left alone (and refused by fetchRecording).
 */
export function rewriteToApiBase(recordingUrl: string, apiBaseUrl: string | undefined): string {
  if (!apiBaseUrl) return recordingUrl;
  let url: URL;
  try {
    url = new URL(recordingUrl);
  } catch {
    return recordingUrl;
  }
  if (url.origin !== TWILIO_API_ORIGIN) return recordingUrl;
  return apiBaseUrl.replace(/\/+$/, '') + url.pathname + url.search;
}

/** The origin of TWILIO_API_BASE_URL, or null when unset or not an http(s) URL. */
export function configuredOrigin(apiBaseUrl: string | undefined): string | null {
  if (!apiBaseUrl) return null;
  try {
    const url = new URL(apiBaseUrl);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** How a URL may be fetched: Twilio's public API (addresses checked), the configured base origin, or not at all. */
export function recordingSource(url: URL, apiOrigin: string | null): 'twilio' | 'configured' | null {
  if (apiOrigin !== null && url.origin === apiOrigin) return 'configured';
  if (url.origin === TWILIO_API_ORIGIN) return 'twilio';
  return null;
}

export interface RecordingFetchOptions {
  accountSid?: string;
  authToken?: string;
  /** TWILIO_API_BASE_URL's origin (configuredOrigin), or null. */
  apiOrigin: string | null;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  /** DNS resolution for api.twilio.com (tests make it answer a private address); default dns.lookup. */
  lookup?: LookupFunction;
}

export interface FetchedRecording {
  bytes: Uint8Array;
  contentType: string;
  /** Hosts visited, for the log. */
  hops: Array<{ host: string; status: number }>;
}

export class RecordingFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingFetchError';
  }
}

function get(
  url: URL,
  source: 'twilio' | 'configured',
  headers: Record<string, string>,
  options: RecordingFetchOptions,
  signal: AbortSignal,
) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      {
        method: 'GET',
        headers,
        signal,
        ...(source === 'twilio' ? { agent: publicOnly, ...(options.lookup ? { lookup: options.lookup } : {}) } : {}),
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

async function readCapped(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new RecordingFetchError(`recording is ${declared} bytes, over the ${maxBytes} limit`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      response.destroy();
      throw new RecordingFetchError(`recording is over the ${maxBytes} bytes limit`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function fetchRecording(rawUrl: string, options: RecordingFetchOptions): Promise<FetchedRecording> {
  const maxRedirects = options.maxRedirects ?? 5;
  const signal = AbortSignal.timeout(options.timeoutMs);
  const hops: FetchedRecording['hops'] = [];
  const authorization =
    options.accountSid && options.authToken
      ? `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`
      : null;
  let url = new URL(rawUrl);
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const source = recordingSource(url, options.apiOrigin);
    if (!source) throw new RecordingFetchError(`refusing to fetch ${url.origin}: recordings come from ${TWILIO_API_ORIGIN} only`);
    const headers: Record<string, string> = { accept: 'audio/*', ...(authorization ? { authorization } : {}) };
    let response: IncomingMessage;
    try {
      response = await get(url, source, headers, options, signal);
    } catch (error) {
      throw new RecordingFetchError(`recording download from ${url.host} failed: ${(error as Error).message}`);
    }
    const status = response.statusCode ?? 0;
    hops.push({ host: url.host, status });
    if (status >= 300 && status < 400) {
      const location = response.headers.location;
      response.resume();
      if (!location) throw new RecordingFetchError(`redirect ${status} without Location`);
      url = new URL(location, url);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new RecordingFetchError(`recording download failed with HTTP ${status} from ${url.host}`);
    }
    const bytes = await readCapped(response, options.maxBytes);
    if (bytes.byteLength === 0) throw new RecordingFetchError('recording is empty');
    return { bytes, contentType: response.headers['content-type']?.split(';')[0]?.trim() || 'audio/mpeg', hops };
  }
  throw new RecordingFetchError(`more than ${maxRedirects} redirects`);
}
