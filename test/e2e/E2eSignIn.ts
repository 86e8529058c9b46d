/*
 * Signs a second catalog user in to the development app. TEST-ONLY.
 *
 * Development signs in with the guest provider alone, as user:default/guest.
 * A journey that needs a second person (an approver) signs them in the way
 * the production smoke does (test/production/TestSignIn.ts): the e2e config
 * layer (app-config.e2e.yaml) gives the auth backend a static key pair, so a
 * user token can be signed here as issueUserToken signs it, and the user's
 * claims go into the auth plugin's own database (`user_info`), where a
 * sign-in records them and from where the backend answers "which groups are
 * theirs" (the userInfo service asks the auth backend's /v1/userinfo, as the
 * token carries no `ent`). What is skipped is the sign-in resolver; the
 * claims are made from the user's catalog entity as the default ownership
 * resolution makes them: the user's ref and the groups they are a member of.
 *
 * In the browser, the frontend's guest sign-in then receives that user's
 * token and identity from /api/auth/guest/refresh (the answer of the auth
 * backend, with the body a sign-in as that user would return), so the whole
 * app runs as them: every request carries their token.
 */
import { APIRequestContext, BrowserContext, expect } from '@playwright/test';
import { KeyObject } from 'crypto';
import { compactJws } from '../production/compactJws';
import { Knex, knex } from 'knex';
import path from 'path';
import { E2E_KEY_ID, readE2eAuthKeys } from './e2eRun';
import { BACKEND, guestToken } from './helpers';

/**
 * The auth plugin's SQLite file: `backend.database.connection.directory` of
 * app-config.yaml (`SLED_SQLITE_DIR`, else .sled/db), read from packages/backend
 * where the backend runs.
 */
function authDatabaseFile(): string {
  const backendDir = path.resolve(__dirname, '../../packages/backend');
  const directory = path.resolve(
    backendDir,
    process.env.SLED_SQLITE_DIR || '../../.sled/db',
  );
  return path.join(directory, 'auth.sqlite');
}

/** A signed-in user, as the auth backend answers a sign-in. */
export interface SignedInUser {
  token: string;
  userEntityRef: string;
  ownershipEntityRefs: string[];
  profile: { displayName?: string; email?: string };
}

export class E2eSignIn {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly request: APIRequestContext,
  ) {}

  /**
   * Checks that the running backend signs with this run's key pair (it was
   * started with app-config.e2e.yaml by playwright.config.ts, not reused from
   * a plain ./scripts/start) and returns the sign-in.
   */
  static async open(request: APIRequestContext): Promise<E2eSignIn> {
    const { privateKey, publicKey } = readE2eAuthKeys();
    const jwks = await request.get(`${BACKEND}/api/auth/.well-known/jwks.json`);
    expect(jwks.ok()).toBeTruthy();
    const { x, y } = publicKey.export({ format: 'jwk' });
    const served = ((await jwks.json()).keys ?? []) as Array<{
      kid: string;
      x?: string;
      y?: string;
    }>;
    if (!served.some(k => k.kid === E2E_KEY_ID && k.x === x && k.y === y)) {
      throw new Error(
        `The backend on ${BACKEND} does not sign with this run's key pair: it was not started with test/e2e/app-config.e2e.yaml by playwright.config.ts (stop the running app and run the journeys again)`,
      );
    }
    return new E2eSignIn(privateKey, request);
  }

  /**
   * Signs `name` (a User of the catalog, namespace default) in: records their
   * claims and signs their token, as the auth backend does at the end of a
   * sign-in.
   */
  async signIn(name: string): Promise<SignedInUser> {
    const userEntityRef = `user:default/${name}`;
    const user = await this.request.get(
      `${BACKEND}/api/catalog/entities/by-name/user/default/${name}`,
      {
        headers: {
          Authorization: `Bearer ${await guestToken(this.request)}`,
        },
      },
    );
    expect(user.ok(), `${userEntityRef} is in the catalog`).toBeTruthy();
    const entity = await user.json();
    // as the auth backend's getDefaultOwnershipEntityRefs makes them
    const ownershipEntityRefs = [
      ...new Set([
        userEntityRef,
        ...(
          (entity.relations ?? []) as Array<{ type: string; targetRef: string }>
        )
          .filter(
            r => r.type === 'memberOf' && r.targetRef.startsWith('group:'),
          )
          .map(r => r.targetRef),
      ]),
    ];

    const db: Knex = knex({
      client: 'better-sqlite3',
      connection: { filename: authDatabaseFile() },
      useNullAsDefault: true,
    });
    try {
      await db('user_info')
        .insert({
          user_entity_ref: userEntityRef,
          user_info: JSON.stringify({
            claims: { sub: userEntityRef, ent: ownershipEntityRefs },
          }),
          updated_at: db.fn.now(),
        })
        .onConflict('user_entity_ref')
        .merge();
    } finally {
      await db.destroy();
    }

    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + 3600;
    const header = (typ: string) => ({ typ, alg: 'ES256', kid: E2E_KEY_ID });
    // the proof a limited token is made of, as issueUserToken makes it
    const uip = compactJws(
      header('vnd.backstage.limited-user'),
      { sub: userEntityRef, iat, exp },
      this.privateKey,
    ).split('.')[2];
    const token = compactJws(
      header('vnd.backstage.user'),
      {
        iss: `${BACKEND}/api/auth`,
        sub: userEntityRef,
        aud: 'backstage',
        iat,
        exp,
        uip,
      },
      this.privateKey,
    );
    return {
      token,
      userEntityRef,
      ownershipEntityRefs,
      profile: {
        displayName: entity.spec?.profile?.displayName,
        email: entity.spec?.profile?.email,
      },
    };
  }

  /**
   * Makes `user` the one who is signed in in `context`: its guest sign-in
   * (the Enter button, and every later refresh) gets the auth backend's
   * answer with `user`'s token and identity in its body.
   */
  async useInBrowser(context: BrowserContext, user: SignedInUser) {
    await context.route('**/api/auth/guest/refresh*', async route => {
      // the auth backend's answer (its status and CORS headers), with the
      // body of a sign-in as `user`
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['content-length'];
      delete headers['content-encoding'];
      await route.fulfill({
        response,
        headers,
        json: {
          profile: user.profile,
          backstageIdentity: {
            token: user.token,
            identity: {
              type: 'user',
              userEntityRef: user.userEntityRef,
              ownershipEntityRefs: user.ownershipEntityRefs,
            },
          },
        },
      });
    });
  }
}
