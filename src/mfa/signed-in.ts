import type { Request } from 'express';
import { Unauthorized } from '../lib/errors';

/** The signed-in person with their username (the label in their authenticator app). */
export function signedIn(req: Request): { id: number; username: string } {
  if (!req.user) throw new Unauthorized();
  return { id: req.user.id, username: req.user.username };
}
