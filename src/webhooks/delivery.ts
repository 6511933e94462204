import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { sendMessage, SEND_TIMEOUT_MS, type SendOutcome } from './send';
import { claimDelivery, dueDeliveries, recordAttempt, setWebhookActive } from './webhooks.queries';

/**
 * Waits before each retry (after the 1st, 2nd … failed attempt): growing from seconds to hours, about 28
 * hours in all, as Standard Webhooks senders do. After the last the delivery has failed.
 */
export const RETRY_DELAYS_S = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/** A claimed delivery is retried after this if its sender died mid-send. */
const LEASE_MS = SEND_TIMEOUT_MS * 3;

/**
 * Deliveries claimed, sent side by side and recorded together: one transaction (one fsync) to claim a batch and
 * one to record it, instead of two per delivery, so the queue drains at hundreds per second (issue 18's fan-out
 * bench, bench/webhook-fanout.ts). A batch takes at most one send timeout, well inside the lease.
 */
const BATCH = 32;

/** A run stops starting batches after this (real time); the next tick of the 1 s timer (src/startup.ts) takes over. */
const RUN_MS = 4_000;

/** Runs in progress per app: a timer tick while one drains the queue adds nothing but contention. */
const running = new WeakSet<AppDeps>();

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

export interface DeliveryRun {
  sent: number;
  delivered: number;
}

type Due = Awaited<ReturnType<typeof dueDeliveries>>[number];

/** Takes the due deliveries of a batch for this sender; those another sender took meanwhile are left out. */
async function claimBatch(deps: AppDeps, batch: Due[], now: string): Promise<Due[]> {
  return inTransaction(deps.db, async (trx) => {
    const claimed: Due[] = [];
    for (const due of batch) {
      if (!due.next_attempt_at) continue;
      if (await claimDelivery(trx, due.id, due.next_attempt_at, plus(now, LEASE_MS))) claimed.push(due);
    }
    return claimed;
  });
}

/** Records each attempt's outcome: 2xx delivers; 410 turns the webhook off; anything else is retried later. */
async function recordBatch(deps: AppDeps, sent: Array<{ due: Due; outcome: SendOutcome }>): Promise<number> {
  const at = deps.clock.now().toISOString();
  let delivered = 0;
  await inTransaction(deps.db, async (trx) => {
    for (const { due, outcome } of sent) {
      const attempts = due.attempts + 1;
      const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
      const gone = outcome.status === 410;
      const delay = RETRY_DELAYS_S[attempts - 1];
      const status = ok ? 'delivered' : gone || delay === undefined ? 'failed' : 'pending';
      await recordAttempt(trx, due.id, {
        status,
        attempts,
        next_attempt_at: status === 'pending' && delay !== undefined ? plus(at, delay * 1000) : null,
        last_attempt_at: at,
        response_code: outcome.status,
        last_error: ok ? null : (outcome.error ?? `The receiver answered ${outcome.status ?? 'nothing'}.`),
        delivered_at: ok ? at : null,
      });
      if (gone) await setWebhookActive(trx, due.webhook_id, false, 'The receiver answered 410 Gone.');
      if (ok) delivered += 1;
    }
  });
  return delivered;
}

/**
 * Sends the deliveries that are due, a batch at a time and the batch's sends side by side (never inside a
 * transaction: the database is free while receivers answer), until none is due, `limit` were sent or the run
 * has lasted RUN_MS. A call while another run of the same app is under way returns at once.
 */
export async function deliverDue(
  deps: AppDeps,
  options: { limit?: number; timeoutMs?: number } = {},
): Promise<DeliveryRun> {
  const run: DeliveryRun = { sent: 0, delivered: 0 };
  if (running.has(deps)) return run;
  running.add(deps);
  try {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const started = performance.now();
    while (run.sent < limit && performance.now() - started < RUN_MS) {
      const now = deps.clock.now().toISOString();
      const batch = await dueDeliveries(deps.db, now, Math.min(BATCH, limit - run.sent));
      if (batch.length === 0) break;
      const claimed = await claimBatch(deps, batch, now);
      const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
      const sent = await Promise.all(
        claimed.map(async (due) => ({
          due,
          outcome: await sendMessage(
            { url: due.url, secret: due.secret, messageId: due.message_id, body: due.body, timestamp },
            deps.config.webhookAllowPrivate,
            options.timeoutMs,
          ),
        })),
      );
      run.sent += sent.length;
      if (sent.length) run.delivered += await recordBatch(deps, sent);
    }
  } finally {
    running.delete(deps);
  }
  return run;
}
