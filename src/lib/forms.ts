import type { Request } from 'express';
import { AppError, NotFound, Validation } from './errors';
import { parseIdParam } from './validation';

// What every page and API route does with its input the same way: ids from the path, form bodies, and
// problems turned into messages beside the fields they belong to.

/** The `:id` (or another) path parameter as a positive integer; anything else is a 404 naming what was asked. */
export function idParam(req: Request, what: string, name = 'id'): number {
  const id = parseIdParam(req.params[name]);
  if (id === null) throw new NotFound(`No such ${what}.`);
  return id;
}

/** The parsed form or JSON body as a record (never undefined), for schemas and pickFields to read from. */
export function formBody(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

/**
 * Problems to show beside a form's fields, or null when the error is not about the input (rethrow it).
 * A Validation gives one message per field; a conflict (409, e.g. a name taken) is shown beside
 * `conflictField` and at the top of the form. `rename` maps a service's field names to the form's.
 */
export function formErrors(
  err: unknown,
  conflictField: string,
  rename: Record<string, string> = {},
): Record<string, string> | null {
  if (err instanceof Validation) {
    const fields = err.byField();
    for (const [from, to] of Object.entries(rename)) if (fields[from]) fields[to] ??= fields[from];
    return fields;
  }
  if (err instanceof AppError && err.status === 409) return { [conflictField]: err.message, _form: err.message };
  return null;
}

/** Answer problems come back as answers.<index>.*; a scoring form shows them beside items.<item id>. */
export function itemErrors(err: Validation, answers: ReadonlyArray<{ item_id: number }>): Record<string, string> {
  const fields = err.byField();
  for (const [path, message] of Object.entries(fields)) {
    const match = /^answers\.(\d+)\./.exec(path);
    const answer = match ? answers[Number(match[1])] : undefined;
    if (answer) fields[`items.${answer.item_id}`] ??= message;
  }
  return fields;
}

/**
 * A form's post/redirect/get: runs `save` (which stores, flashes and redirects). When the input was refused
 * (`formErrors` has messages for it), `showAgain` renders the form once more with the error's status (422,
 * 409) and a message beside each field; any other error goes on to the error handler.
 */
export async function submitForm(
  save: () => Promise<void>,
  showAgain: (status: number, errors: Record<string, string>) => Promise<void>,
  conflictField: string,
  rename: Record<string, string> = {},
): Promise<void> {
  try {
    await save();
  } catch (err) {
    const errors = formErrors(err, conflictField, rename);
    if (!errors) throw err;
    await showAgain((err as AppError).status, errors);
  }
}
