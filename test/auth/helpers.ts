// Helpers of the auth tests: agents created through the real API, sign-in, and the express routes a server registers.
import assert from 'node:assert/strict';
import type { FreedaApp } from '../../src/app.js';
import type { TestApp } from '../helpers/app.js';

export const PASSWORD = 'correct horse battery';

export async function addAgent(t: TestApp, email: string, name: string, role: string, password = PASSWORD): Promise<string> {
  const res = await t.api('/agents', { method: 'POST', body: JSON.stringify({ email, name, role, password }) });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { agent_id: string }).agent_id;
}

export interface Login {
  status: number;
  body: Record<string, unknown>;
  access_token: string;
  cookie: string | null;
  retryAfter: string | null;
}

export async function login(url: string, email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<Login> {
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  const setCookie = res.headers.get('set-cookie');
  return {
    status: res.status,
    body,
    access_token: typeof body.access_token === 'string' ? body.access_token : '',
    cookie: setCookie ? setCookie.split(';')[0] : null,
    retryAfter: res.headers.get('retry-after'),
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every METHOD path registered on the server's express app (walking mounted routers). */
export function registeredRoutes(app: FreedaApp): { method: string; path: string }[] {
  const express = app.server.listeners('request')[0] as unknown as { router: { stack: Layer[] } };
  const out: { method: string; path: string }[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths)
          for (const [method, on] of Object.entries(layer.route.methods))
            if (on && method !== '_all') out.push({ method: method.toUpperCase(), path });
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk(express.router.stack);
  return out;
}
