/*
 * A compact JWS (ES256), as Backstage's auth backend signs user tokens.
 * TEST-ONLY: the production smoke (TestSignIn.ts) and the e2e journeys
 * (test/e2e/E2eSignIn.ts) sign in users with a static key pair through it.
 */
import { KeyObject, sign } from 'crypto';

const base64url = (value: string | Buffer) =>
  Buffer.from(value).toString('base64url');

/** A compact JWS (ES256) of `header` and `payload`. */
export function compactJws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKey: KeyObject,
): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(
    JSON.stringify(payload),
  )}`;
  const signature = sign('sha256', Buffer.from(signingInput), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${signingInput}.${base64url(signature)}`;
}
