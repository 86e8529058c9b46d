import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { SledRolePolicy, readSledRoles } from './SledRolePolicy';

/**
 * The example SLeD permission policy, configured with `sled.policy.roles`.
 *
 * @public
 */
export const permissionModuleSledPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'sled-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        policy: policyExtensionPoint,
      },
      async init({ config, userInfo, policy }) {
        const roles = new SledRolePolicy(readSledRoles(config));
        policy.setPolicy({
          async handle(request, user) {
            const claims = user
              ? (await userInfo.getUserInfo(user.credentials))
                  .ownershipEntityRefs
              : undefined;
            return roles.decide(request, claims);
          },
        });
      },
    });
  },
});
