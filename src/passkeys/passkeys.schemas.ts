import { z } from 'zod';

// AuthenticatorTransportFuture: an unknown transport is refused rather than stored.
const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

const base64url = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9_-]*$/);

/**
 * The shape of what the browser's WebAuthn call returned (as @simplewebauthn/browser serialises it), sent in
 * the `credential` field of a form. The library checks the contents; this only keeps out junk and huge bodies.
 */
const credentialBase = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal('public-key'),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

export const registrationCredentialSchema = credentialBase.extend({
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    transports: z.array(z.enum(TRANSPORTS)).max(10).optional(),
    authenticatorData: base64url.optional(),
    publicKey: base64url.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
  }),
});

export const authenticationCredentialSchema = credentialBase.extend({
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
});

export const passkeyNameSchema = z
  .string({ error: 'Give the passkey a name.' })
  .trim()
  .min(1, 'Give the passkey a name, such as “Work laptop”.')
  .max(60, 'Keep the name to 60 characters.');

/** Parses the JSON text of a form's `credential` field; undefined when it is missing or not that shape. */
export function parseCredential<T extends z.ZodType>(schema: T, text: unknown): z.infer<T> | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 16_384) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
