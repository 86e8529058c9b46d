/*
 * Signs a user in the way the auth backend does at the end of a Google
 * sign-in. TEST-ONLY (./scripts/production-smoke).
 *
 * Production signs users in with Google only, which this machine cannot
 * reach. A sign-in ends in the auth backend's CatalogAuthResolverContext:
 * it signs a user token and stores the user's claims (`user_info`), from
 * which the backend later answers "who is this user, which groups are
 * theirs" for the permission policy. This does both: the smoke's config
 * (app-config.smoke.yaml) gives the auth backend a static key pair, and the
 * claims go into the auth plugin's own database. Every plugin then verifies
 * the token against the auth backend's JWKS and finds the claims exactly as
 * after a real sign-in. What is skipped is the OAuth round trip and the
 * sign-in resolver; the caller passes the claims it would have produced.
 */
import { KeyObject } from 'crypto';
import { compactJws } from './compactJws';
import { Knex, knex } from 'knex';

export interface TestSignInOptions {
  /** the key of the auth backend's static key store */
  privateKey: KeyObject;
  keyId: string;
  /** the auth backend's base URL, `<backend>/api/auth` */
  issuer: string;
  /** the auth plugin's database (PostgreSQL) */
  authDatabase: Knex.PgConnectionConfig;
}

export class TestSignIn {
  private readonly db: Knex;

  constructor(private readonly options: TestSignInOptions) {
    this.db = knex({
      client: 'pg',
      connection: options.authDatabase,
      pool: { min: 0, max: 1 },
    });
  }

  /**
   * A user token for `userEntityRef`, as issueUserToken makes it: type
   * `vnd.backstage.user`, with `uip` (the proof a limited token is made of),
   * without `ent` (`auth.omitIdentityTokenOwnershipClaim` defaults to true),
   * and the claims recorded as sign-in records them.
   */
  async signIn(
    userEntityRef: string,
    ownershipEntityRefs: string[],
  ): Promise<string> {
    const { privateKey, keyId, issuer } = this.options;
    const claims = { sub: userEntityRef, ent: ownershipEntityRefs };
    await this.db('user_info')
      .insert({
        user_entity_ref: userEntityRef,
        user_info: JSON.stringify({ claims }),
        updated_at: this.db.fn.now(),
      })
      .onConflict('user_entity_ref')
      .merge();

    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + 3600;
    const uip = compactJws(
      { typ: 'vnd.backstage.limited-user', alg: 'ES256', kid: keyId },
      { sub: userEntityRef, iat, exp },
      privateKey,
    ).split('.')[2];
    return compactJws(
      { typ: 'vnd.backstage.user', alg: 'ES256', kid: keyId },
      { iss: issuer, sub: userEntityRef, aud: 'backstage', iat, exp, uip },
      privateKey,
    );
  }

  async close() {
    await this.db.destroy();
  }
}
