import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { sledDeployChecksExtensionPoint } from '@internal/plugin-sled-node';
import { CiStatusCheck } from './CiStatusCheck';
import { readCiStatusSettings } from './CiStatusSettings';

/**
 * Adds the `ci-status` deploy check to SLeD: environments that list it
 * (`sled.environments[].checks: [ci-status]`) refuse artifacts whose CI
 * checks did not pass.
 *
 * @public
 */
export const sledModuleCiStatus = createBackendModule({
  pluginId: 'sled',
  moduleId: 'ci-status',
  register(env) {
    env.registerInit({
      deps: {
        checks: sledDeployChecksExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ checks, config }) {
        checks.addCheck(new CiStatusCheck(readCiStatusSettings(config)));
      },
    });
  },
});
