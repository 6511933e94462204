import type { AppDeps } from '../deps';
import type { User } from '../db/schema';
import { countActiveAdmins } from '../users';
import { createUser } from '../users';
import { Validation } from '../lib/errors';
import { ensureDefaultRubric } from '../rubrics';
import { ensureDefaultTopics } from '../topics';
import { DEMO_PEOPLE, loadDemoData, type DemoPerson } from './demo-data';

/** Whether first-run setup is still open. Once an admin exists it closes for good (cached). */
export class SetupState {
  private done = false;

  constructor(private readonly deps: AppDeps) {}

  async isOpen(): Promise<boolean> {
    if (this.done) return false;
    this.done = (await countActiveAdmins(this.deps.db)) > 0;
    return !this.done;
  }

  markDone(): void {
    this.done = true;
  }
}

export interface SetupResult {
  admin: User;
  demo: DemoPerson[] | null;
}

export async function runFirstSetup(
  deps: AppDeps,
  raw: Record<string, unknown>,
  withDemo: boolean,
  ip: string,
): Promise<SetupResult> {
  const username = typeof raw.username === 'string' ? raw.username.trim().toLowerCase() : '';
  if (withDemo && DEMO_PEOPLE.some((p) => p.username === username)) {
    throw new Validation([
      { path: 'username', message: 'That name belongs to a demo account; choose another for the admin.' },
    ]);
  }
  const admin = await createUser(deps, null, { ...raw, role: 'admin' }, ip, { onlyIfNoAdmin: true });
  await ensureDefaultRubric(deps);
  await ensureDefaultTopics(deps);
  const demo = withDemo ? await loadDemoData(deps, admin.id) : null;
  return { admin, demo };
}
