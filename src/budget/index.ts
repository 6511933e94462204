// The budget room's door: everything other rooms may use of it. Import "../budget", never its files.
export { budgetStatus, periodKey } from './budget';
export type { BudgetStatus } from './budget';
export { budgetRoutes } from './budget.routes';
