import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { DeployCheck } from './DeployCheck';

/**
 * Adds deploy checks to SLeD: a backend module for plugin `sled` adds a
 * named check, and environments that list its name
 * (`sled.environments[].checks`) run it before a deploy is queued and again
 * before it starts.
 *
 * @public
 */
export interface SledDeployChecksExtensionPoint {
  addCheck(check: DeployCheck): void;
}

/**
 * The extension point of SLeD's deploy checks.
 *
 * @public
 */
export const sledDeployChecksExtensionPoint =
  createExtensionPoint<SledDeployChecksExtensionPoint>({
    id: 'sled.deploy-checks',
  });
