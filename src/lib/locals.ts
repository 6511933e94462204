import type { NextFunction, Request, Response } from 'express';
import type { CsrfSync } from 'csrf-sync';
import ejs from 'ejs';
import { formatLocalDateTime } from './zones';

export interface NavLink {
  href: string;
  label: string;
}

export interface NavGroup {
  label: string;
  children: NavLink[];
}

const QUALITY: NavGroup = {
  label: 'Quality',
  children: [
    { href: '/evaluations', label: 'Scoring' },
    { href: '/disputes', label: 'Disputes' },
    { href: '/calibration', label: 'Calibration' },
    { href: '/sampling', label: 'Sampling' },
    { href: '/rubrics', label: 'Rubrics' },
  ],
};

const DEVELOPMENT: NavGroup = {
  label: 'Coaching',
  children: [
    { href: '/coaching', label: 'Coaching' },
    { href: '/training', label: 'Training' },
    { href: '/recognition', label: 'Recognition' },
    { href: '/budget', label: 'Budget' },
  ],
};

const HOME: NavLink = { href: '/', label: 'Home' };
const CALLS: NavLink = { href: '/calls', label: 'Calls' };
const REPORTS: NavLink = { href: '/reports', label: 'Reports' };

const ADMIN: NavGroup = {
  label: 'Admin',
  children: [
    { href: '/admin/users', label: 'People' },
    { href: '/admin/org', label: 'Departments & teams' },
    { href: '/admin/audit', label: 'Audit log' },
    { href: '/admin/settings', label: 'Settings' },
    { href: '/admin/security', label: 'Sign-in security' },
    { href: '/admin/webhooks', label: 'Webhooks' },
    { href: '/admin/recordings-inbox', label: 'Recordings inbox' },
    { href: '/admin/topics', label: 'Call topics' },
    { href: '/admin/analysis', label: 'Call analysis' },
  ],
};

/** A group without the links a role may not open (a supervisor builds no rubric and keeps no budget). */
function without(group: NavGroup, href: string): NavGroup {
  return { label: group.label, children: group.children.filter((c) => c.href !== href) };
}

// Grouped so the bar fits a laptop screen; each group opens as a small menu (a <details>, no script needed).
const NAV: Record<string, Array<NavLink | NavGroup>> = {
  admin: [HOME, CALLS, QUALITY, DEVELOPMENT, REPORTS, ADMIN],
  manager: [HOME, CALLS, QUALITY, DEVELOPMENT, REPORTS, { href: '/people', label: 'People' }],
  supervisor: [
    HOME,
    CALLS,
    without(QUALITY, '/rubrics'),
    without(DEVELOPMENT, '/budget'),
    REPORTS,
    { href: '/people', label: 'My teams' },
  ],
  csr: [
    HOME,
    { href: '/scorecards', label: 'My scorecards' },
    { href: '/coaching', label: 'Coaching' },
    { href: '/training/mine', label: 'My training' },
  ],
};

/** What the page locals need from the app's configuration (passed in: the kernel knows no root file). */
export interface LocalsOptions {
  /** ISO 4217 code money is shown in. */
  currency: string;
  /** The center's time zone (a setting, read per page: a change shows at once). */
  timeZone: () => Promise<string>;
}

/** What every page template may use: the signed-in user, their navigation, CSRF token, flash messages. */
export function exposeLocals(options: LocalsOptions, csrf: CsrfSync) {
  // One formatter for every page: making one is what costs, and a budget page shows a sum in each row.
  const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: options.currency });
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.originalUrl.startsWith('/api/')) return next();
    const timeZone = await options.timeZone();
    // Pages of a signed-in person (a new token, a scorecard) must not come back from the browser's cache.
    if (req.user) res.setHeader('Cache-Control', 'no-store');
    res.locals.user = req.user ?? null;
    res.locals.nav = req.user ? NAV[req.user.role] : [];
    res.locals.currentPath = req.path;
    res.locals.currency = options.currency;
    res.locals.csrfToken = () => csrf.generateToken(req);
    // The hidden field every form carries: a function, not a partial, since a list puts one in each row's form
    // and an EJS include copies all of the page's locals each time.
    res.locals.csrfField = () => csrfField(csrf.generateToken(req));
    res.locals.flash = req.session?.flash ?? [];
    res.locals.formatMoney = (cents: number) => money.format(cents / 100);
    res.locals.formatDuration = formatDuration;
    res.locals.timeZone = timeZone;
    // Stored times are UTC; pages show them on the center's clock with its abbreviation (EST, EDT, GMT+5:30).
    res.locals.formatDateTime = (iso: string | null) => {
      const ms = iso ? Date.parse(iso) : NaN;
      return Number.isNaN(ms) ? '—' : formatLocalDateTime(ms, timeZone);
    };
    if (req.session?.flash) delete req.session.flash;
    next();
  };
}

/** The form field that carries a CSRF token. */
export function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${ejs.escapeXML(token)}">`;
}

/** Seconds as m:ss or h:mm:ss, the way call lengths are read. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  return clockOf(Math.round(seconds));
}

/** Whole seconds as m:ss or h:mm:ss (callers decide how to round). */
export function clockOf(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
