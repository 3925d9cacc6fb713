// Requests node's HTTP parser refuses before any route runs (a raw `é` in the URL, headers too large, a timeout): answered
// here, from the server's `clientError` hook, with the same JSON error shape as every other 4xx, and a message that says
// what to change. Without it node answers a bare `400 Bad Request` with no body, and `curl -o file` writes 0 bytes.
import type { Duplex } from 'node:stream';
import type { LoggerLike } from '../domain/channel.js';
import { errorBody } from './errors.js';

const ENCODE_HINT =
  "Percent-encode the query (fermé → ferm%C3%A9, a space → %20), e.g. curl -G --data-urlencode 'status=fermé' URL; status=ferme is also accepted.";

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/** The request line (up to the first CR/LF) of what the client sent, when the parser kept it. */
function requestLine(raw: Buffer | undefined): Buffer | null {
  if (!raw) return null;
  const end = raw.indexOf('\r\n');
  return raw.subarray(0, end >= 0 ? end : Math.min(raw.length, 8192));
}

/** Status, code and message for a parser error: pure, so each case is easy to test. */
export function describeClientError(error: ParserError): { status: number; reason: string; code: string; message: string } {
  const line = requestLine(error.rawPacket);
  const nonAscii = line !== null && line.some((byte) => byte > 0x7e || byte < 0x20);
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        code: 'headers_too_large',
        message: 'The request headers are too large.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', code: 'request_timeout', message: 'The request took too long to arrive.' };
    case 'HPE_INVALID_URL':
    case 'HPE_INVALID_CHARACTER':
      if (nonAscii || error.code === 'HPE_INVALID_URL') {
        return {
          status: 400,
          reason: 'Bad Request',
          code: 'invalid_url',
          message: `The URL contains characters that are not allowed as such (non-ASCII letters, spaces). ${ENCODE_HINT}`,
        };
      }
  }
  return {
    status: 400,
    reason: 'Bad Request',
    code: 'malformed_request',
    message: `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}).`,
  };
}

/** `server.on('clientError', clientErrorHandler(logger))`. */
export function clientErrorHandler(logger: LoggerLike) {
  return (error: ParserError, socket: Duplex): void => {
    // Reset by the peer, or a response already on its way: nothing useful can be written.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, reason, code, message } = describeClientError(error);
    logger.warn({ code: error.code, status }, `request refused by the HTTP parser: ${code}`);
    const body = JSON.stringify(errorBody(code, message));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}
