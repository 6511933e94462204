import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { sendMessage, SEND_TIMEOUT_MS } from './send';
import { claimDelivery, dueDeliveries, recordAttempt, setWebhookActive } from './webhooks.queries';

/**
 * Waits before each retry (after the 1st, 2nd … failed attempt): growing from seconds to hours, about 28
 * hours in all, as Standard Webhooks senders do. After the last the delivery has failed.
 */
export const RETRY_DELAYS_S = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/** A claimed delivery is retried after this if its sender died mid-send. */
const LEASE_MS = SEND_TIMEOUT_MS * 3;

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

export interface DeliveryRun {
  sent: number;
  delivered: number;
}

/**
 * Sends the deliveries that are due, one at a time (never inside a transaction: the database is free while
 * a receiver answers). 2xx delivers; 410 turns the webhook off; anything else is retried later.
 */
export async function deliverDue(
  deps: AppDeps,
  options: { limit?: number; timeoutMs?: number } = {},
): Promise<DeliveryRun> {
  const run: DeliveryRun = { sent: 0, delivered: 0 };
  const now = deps.clock.now().toISOString();
  for (const due of await dueDeliveries(deps.db, now, options.limit ?? 100)) {
    if (!due.next_attempt_at) continue;
    const claimed = await inTransaction(deps.db, (trx) =>
      claimDelivery(trx, due.id, due.next_attempt_at ?? '', plus(now, LEASE_MS)),
    );
    if (!claimed) continue;
    const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
    const outcome = await sendMessage(
      { url: due.url, secret: due.secret, messageId: due.message_id, body: due.body, timestamp },
      deps.config.webhookAllowPrivate,
      options.timeoutMs,
    );
    run.sent += 1;
    const at = deps.clock.now().toISOString();
    const attempts = due.attempts + 1;
    const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    const gone = outcome.status === 410;
    const delay = RETRY_DELAYS_S[attempts - 1];
    const status = ok ? 'delivered' : gone || delay === undefined ? 'failed' : 'pending';
    await inTransaction(deps.db, async (trx) => {
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
    });
    if (ok) run.delivered += 1;
  }
  return run;
}
