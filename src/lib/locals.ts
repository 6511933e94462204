import type { NextFunction, Request, Response } from 'express';
import type { CsrfSync } from 'csrf-sync';
import type { AppDeps } from '../deps';

const NAV: Record<string, Array<{ href: string; label: string }>> = {
  admin: [
    { href: '/', label: 'Home' },
    { href: '/admin/users', label: 'People' },
    { href: '/admin/org', label: 'Departments & teams' },
    { href: '/admin/audit', label: 'Audit log' },
  ],
  manager: [
    { href: '/', label: 'Home' },
    { href: '/people', label: 'People' },
  ],
  supervisor: [
    { href: '/', label: 'Home' },
    { href: '/people', label: 'My teams' },
  ],
  csr: [{ href: '/', label: 'Home' }],
};

/** What every page template may use: the signed-in user, their navigation, CSRF token, flash messages. */
export function exposeLocals(deps: AppDeps, csrf: CsrfSync) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.originalUrl.startsWith('/api/')) return next();
    res.locals.user = req.user ?? null;
    res.locals.nav = req.user ? NAV[req.user.role] : [];
    res.locals.currentPath = req.path;
    res.locals.currency = deps.config.currency;
    res.locals.csrfToken = () => csrf.generateToken(req);
    res.locals.flash = req.session?.flash ?? [];
    res.locals.formatMoney = (cents: number) =>
      new Intl.NumberFormat('en-US', { style: 'currency', currency: deps.config.currency }).format(cents / 100);
    res.locals.formatDateTime = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '—');
    if (req.session?.flash) delete req.session.flash;
    next();
  };
}
