import { usePermission } from '@backstage/plugin-permission-react';
import {
  sledDeployCreatePermission,
  sledLockPermission,
  stringifySledTargetRef,
} from '@internal/plugin-sled-common';

/**
 * Any of the sled permissions whose resource is one service in one
 * environment: those of `sled-target` and those of `sled-lock`, which share
 * its resource refs.
 */
type SledTargetPermission =
  | typeof sledDeployCreatePermission
  | typeof sledLockPermission;

export interface SledPermissionResult {
  loading: boolean;
  allowed: boolean;
  /** Why the action is not available, for a tooltip; undefined when allowed. */
  deniedReason?: string;
}

/**
 * Whether the user may take an action on one service in one environment.
 * `deniedMessage` explains a denial to the user.
 */
export function useSledPermission(options: {
  permission: SledTargetPermission;
  entityRef: string;
  environment?: string;
  deniedMessage: string;
}): SledPermissionResult {
  const { loading, allowed, error } = usePermission({
    permission: options.permission,
    resourceRef: stringifySledTargetRef({
      entityRef: options.entityRef,
      environment: options.environment,
    }),
  });
  if (loading) {
    return { loading, allowed: false, deniedReason: 'Checking permissions…' };
  }
  if (error) {
    return {
      loading,
      allowed: false,
      deniedReason: `Could not check permissions: ${error.message}`,
    };
  }
  return {
    loading,
    allowed,
    deniedReason: allowed ? undefined : options.deniedMessage,
  };
}
