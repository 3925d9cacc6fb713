// Sign-in: POST /auth/login, /auth/refresh, /auth/logout (public: they check a password or a refresh token), and
// GET /auth/status (whether any agent exists: the dashboard then explains `freeda agents:add`). The refresh token
// travels in an HttpOnly, SameSite=Strict cookie scoped to /auth (Secure when the request came over HTTPS); scripts
// may ask for it in the body instead (`"refresh_token_in_body": true`) and send it back as `{"refresh_token"}`.
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AuthService, SessionTokens } from '../auth/service.js';
import { bearerToken } from '../auth/tokens.js';
import { MAX_PASSWORD_LENGTH } from '../auth/passwords.js';
import { UnauthorizedError } from '../errors.js';
import { jsonBody } from './body.js';

export const REFRESH_COOKIE = 'freeda_refresh';

const loginBody = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  refresh_token_in_body: z.boolean().optional(),
});
const refreshBody = z.object({ refresh_token: z.string().max(200).optional(), refresh_token_in_body: z.boolean().optional() });

function cookieOf(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return null;
}

const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export function authRouter(deps: { auth: AuthService; refreshTtlDays: number }): Router {
  const router = Router();
  const { auth } = deps;
  router.use('/auth', express.json({ limit: '16kb', strict: true, type: ['application/json', 'application/*+json'] }));

  function answer(req: Request, res: Response, tokens: SessionTokens, inBody: boolean) {
    res.cookie(REFRESH_COOKIE, tokens.refresh_token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/auth',
      maxAge: deps.refreshTtlDays * 86_400_000,
    });
    res.setHeader('Cache-Control', 'no-store');
    const { refresh_token, ...body } = tokens;
    res.json(inBody ? { ...body, refresh_token } : body);
  }

  router.post('/auth/login', async (req, res) => {
    const body = jsonBody(loginBody, req.body, 'invalid_login');
    answer(req, res, await auth.login(body.email, body.password, clientIp(req)), body.refresh_token_in_body === true);
  });

  router.post('/auth/refresh', async (req, res) => {
    const body = req.body === undefined ? {} : jsonBody(refreshBody, req.body, 'invalid_refresh');
    const presented = body.refresh_token ?? cookieOf(req, REFRESH_COOKIE);
    if (!presented) throw new UnauthorizedError('No refresh token: sign in again.');
    try {
      answer(
        req,
        res,
        await auth.refresh(presented, clientIp(req)),
        body.refresh_token !== undefined || body.refresh_token_in_body === true,
      );
    } catch (error) {
      res.clearCookie(REFRESH_COOKIE, { path: '/auth' });
      throw error;
    }
  });

  // Always 204: signing out twice, or with an expired session, is not an error.
  router.post('/auth/logout', async (req, res) => {
    const body = req.body === undefined ? {} : jsonBody(refreshBody, req.body, 'invalid_logout');
    const principal = await auth.authenticate(bearerToken(req.headers.authorization));
    await auth.logout({ refreshToken: body.refresh_token ?? cookieOf(req, REFRESH_COOKIE), principal, ip: clientIp(req) });
    res.clearCookie(REFRESH_COOKIE, { path: '/auth' });
    res.status(204).end();
  });

  router.get('/auth/status', async (_req, res) => {
    // Never cached: the page must notice the first agent as soon as `agents:add` created it.
    res.setHeader('Cache-Control', 'no-store');
    res.json({ agents_exist: (await auth.agents.count()) > 0 });
  });

  return router;
}
