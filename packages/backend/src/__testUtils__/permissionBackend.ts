import {
  AuthService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

/**
 * The user info service, with each user's ownership claims from `claims`
 * (as the auth backend resolves them from the catalog at sign-in); a user
 * not listed owns only themselves.
 */
export function userInfoFromClaims(claims: Record<string, string[]>) {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials) {
        const userEntityRef = (
          credentials.principal as { userEntityRef: string }
        ).userEntityRef;
        return {
          userEntityRef,
          ownershipEntityRefs: claims[userEntityRef] ?? [userEntityRef],
        };
      },
    }),
  });
}

/**
 * Mock auth, except that a token a plugin gets on behalf of a user keeps the
 * plugin as its actor, as real Backstage tokens do. Plain mock auth drops the
 * actor, and then the permission backend refuses conditional requests ("direct
 * user requests") and the catalog refuses to apply conditions.
 */
export const authWithActors = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const pluginId = plugin.getId();
    const auth = mockServices.auth({ pluginId });
    return {
      authenticate: auth.authenticate.bind(auth),
      getNoneCredentials: auth.getNoneCredentials.bind(auth),
      getOwnServiceCredentials: auth.getOwnServiceCredentials.bind(auth),
      isPrincipal: auth.isPrincipal.bind(auth) as AuthService['isPrincipal'],
      getLimitedUserToken: auth.getLimitedUserToken.bind(auth),
      listPublicServiceKeys: auth.listPublicServiceKeys.bind(auth),
      async getPluginRequestToken(options) {
        if (auth.isPrincipal(options.onBehalfOf, 'user')) {
          const { userEntityRef } = options.onBehalfOf.principal;
          return {
            token: mockCredentials.user.token(userEntityRef, {
              actor: { subject: `plugin:${pluginId}` },
            }),
          };
        }
        return auth.getPluginRequestToken(options);
      },
    };
  },
});
