// What the generated contact center is made of: names, call reasons, traffic and CSAT shapes.

export const DAY_MS = 86_400_000;
export const BATCH = 50_000;

export const DEPARTMENT_NAMES = [
  'Customer Care',
  'Billing & Payments',
  'Technical Support',
  'Sales',
  'Retention',
  'Claims',
  'Logistics',
  'Partner Desk',
];

export const FIRST_NAMES = [
  'Ana', 'Ben', 'Chen', 'Dana', 'Eli', 'Fatima', 'Gabe', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Lena', 'Mateo', 'Nia',
  'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Uma', 'Victor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Alex',
  'Bea', 'Carlos', 'Dmitri', 'Emma', 'Farid', 'Grace', 'Hugo', 'Irene', 'Jonas', 'Kira', 'Luis', 'Maya', 'Noor',
]; // prettier-ignore

export const LAST_NAMES = [
  'Reyes', 'Chen', 'Haddad', 'Nair', 'Okafor', 'Schmidt', 'Rossi', 'Kowalski', 'Silva', 'Tanaka', 'Murphy',
  'Novak', 'Dubois', 'Larsen', 'Moreau', 'Ibrahim', 'Kim', 'Garcia', 'Patel', 'Jensen', 'Costa', 'Ahmed', 'Berg',
  'Hughes', 'Ivanova', 'Mensah', 'Lopez', 'Sato', 'Weber', 'Yilmaz',
]; // prettier-ignore

/** Category, share of calls, median talk time (s). The null category is calls the ACD left uncoded. */
export const CATEGORIES: Array<[string | null, number, number]> = [
  ['billing', 16, 330],
  ['order status', 14, 200],
  ['returns', 11, 290],
  ['technical support', 12, 560],
  ['account changes', 9, 260],
  ['payments', 8, 240],
  ['shipping', 7, 210],
  ['warranty', 7, 380],
  ['cancellation', 5, 420],
  ['complaint', 4, 610],
  ['sales', 3, 470],
  ['general enquiry', 2, 180],
  [null, 2, 240],
];

/** Calls per UTC hour: a contact center open 07:00–22:00 with late-morning and early-afternoon peaks. */
export const HOUR_WEIGHTS = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.8, 3, 6, 8.5, 9.5, 9, 7.5, 8, 8.5, 8, 7, 5.5, 4, 3, 2.2, 1.5, 0.8, 0.4,
]; // prettier-ignore

/** CSAT answers 1..5 for an ordinary call and for one with a long wait or hold. */
export const CSAT_NORMAL = [6, 5, 11, 30, 48];
export const CSAT_LONG_WAIT = [18, 12, 20, 28, 22];

export function log(message: string): void {
  console.log(`[generate] ${message}`);
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
