import type { Request } from 'express';

export function isApiRequest(req: Request): boolean {
  return req.path.startsWith('/api/') || req.originalUrl.startsWith('/api/');
}

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function flash(req: Request, kind: 'success' | 'error' | 'info', message: string): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { kind, message }];
}

/** Picks only the named fields from a form body, so a whole req.body never reaches a template. */
export function pickFields(body: unknown, names: readonly string[]): Record<string, unknown> {
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const name of names) if (name in source) picked[name] = source[name];
  return picked;
}
