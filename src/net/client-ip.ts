// The client's IP address, for express (`trust proxy`) and the WebSocket upgrade alike: X-Forwarded-For is honoured only
// through the proxies TRUST_PROXY names (a hop count, or their addresses), so a client cannot choose its own address.
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** TRUST_PROXY parsed: nothing trusted, the N nearest hops, or proxies by address / CIDR / proxy-addr range name. */
export type TrustProxy = false | number | string[];

export type TrustFunction = (address: string, hop: number) => boolean;

/** The one trust function: express gets it as `trust proxy`, the WebSocket hub through clientIp(). */
export function compileTrust(setting: TrustProxy): TrustFunction {
  if (setting === false || setting === 0) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting);
}

/** The client address of a request: the socket's peer, or the first untrusted address in X-Forwarded-For behind trusted proxies. */
export function clientIpOf(trust: TrustFunction): (req: IncomingMessage) => string {
  return (req) => (req.socket.remoteAddress ? proxyaddr(req, trust) : 'unknown');
}
