// Web-chat visitor clients for the protocol tests.
import { connectWs, type Frame, type WsClient } from '../helpers/ws-client.js';

export type { Frame };
export type VisitorClient = WsClient;

/** A visitor connects without a token. */
export function connectVisitor(baseUrl: string): Promise<VisitorClient> {
  return connectWs(baseUrl.replace(/^http/, 'ws') + '/ws');
}

/** Connect and say hello; returns the client and its welcome frame. */
export async function greet(baseUrl: string, hello: Record<string, unknown> = {}): Promise<{ client: VisitorClient; welcome: Frame }> {
  const client = await connectVisitor(baseUrl);
  client.send({ type: 'hello', ...hello });
  const welcome = await client.next((f) => f.type === 'welcome' || f.type === 'error');
  if (welcome.type !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(welcome)}`);
  return { client, welcome };
}
