import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ExecutorKind } from '@internal/plugin-sled-common';

export interface EnvironmentConfig {
  name: string;
  executor: ExecutorKind;
  cluster?: string;
  namespace?: string;
  requireReason: boolean;
}

export interface SledConfig {
  environments: EnvironmentConfig[];
  local: { timeoutSeconds: number };
  kubernetes: {
    defaultDeployerImage?: string;
    /** glob patterns of the deployer images an artifact may name (pinned by digest) */
    allowedImages: string[];
    ttlSecondsAfterFinished: number;
    activeDeadlineSeconds: number;
    /** container resources of deploy Jobs, e.g. `{ requests: { cpu: '100m' } }` */
    resources?: {
      requests?: Record<string, string>;
      limits?: Record<string, string>;
    };
    /** timeout of each Kubernetes API request */
    requestTimeoutSeconds: number;
    /** `timeoutSeconds` of each Job watch; SLeD re-watches after it */
    watchTimeoutSeconds: number;
  };
}

const EXECUTORS: ExecutorKind[] = ['local', 'kubernetes'];
const NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/**
 * Reads and checks `sled.*`. Throws at start-up with the offending key named,
 * so a typo never becomes a runtime surprise.
 */
export function readSledConfig(config: Config): SledConfig {
  const envConfigs = config.getOptionalConfigArray('sled.environments') ?? [];
  const seen = new Set<string>();
  const environments = envConfigs.map((env, i) => {
    const key = `sled.environments[${i}]`;
    const name = env.getString('name');
    if (!NAME.test(name)) {
      throw new InputError(
        `Invalid config at ${key}.name: '${name}' must be lower-case letters, digits and dashes (at most 32)`,
      );
    }
    if (seen.has(name)) {
      throw new InputError(
        `Invalid config at ${key}.name: environment '${name}' is listed twice`,
      );
    }
    seen.add(name);
    const executor = env.getString('executor');
    if (!EXECUTORS.includes(executor as ExecutorKind)) {
      throw new InputError(
        `Invalid config at ${key}.executor: unknown executor '${executor}', expected one of ${EXECUTORS.join(
          ', ',
        )}`,
      );
    }
    const cluster = env.getOptionalString('cluster');
    const namespace = env.getOptionalString('namespace');
    if (executor === 'kubernetes' && (!cluster || !namespace)) {
      throw new InputError(
        `Invalid config at ${key}: the kubernetes executor needs both 'cluster' and 'namespace'`,
      );
    }
    return {
      name,
      executor: executor as ExecutorKind,
      cluster,
      namespace,
      requireReason: env.getOptionalBoolean('requireReason') ?? false,
    };
  });
  const positive = (key: string, fallback: number) => {
    const value = config.getOptionalNumber(key) ?? fallback;
    if (!Number.isInteger(value) || value <= 0) {
      throw new InputError(
        `Invalid config at ${key}: must be a positive integer`,
      );
    }
    return value;
  };
  return {
    environments,
    local: { timeoutSeconds: positive('sled.local.timeoutSeconds', 900) },
    kubernetes: {
      defaultDeployerImage: config.getOptionalString(
        'sled.kubernetes.defaultDeployerImage',
      ),
      allowedImages:
        config.getOptionalStringArray('sled.kubernetes.allowedImages') ?? [],
      ttlSecondsAfterFinished: positive(
        'sled.kubernetes.ttlSecondsAfterFinished',
        604800,
      ),
      activeDeadlineSeconds: positive(
        'sled.kubernetes.activeDeadlineSeconds',
        900,
      ),
      resources: readResources(config),
      requestTimeoutSeconds: positive(
        'sled.kubernetes.requestTimeoutSeconds',
        10,
      ),
      watchTimeoutSeconds: positive('sled.kubernetes.watchTimeoutSeconds', 240),
    },
  };
}

function readResources(config: Config): SledConfig['kubernetes']['resources'] {
  const resources = config.getOptionalConfig('sled.kubernetes.resources');
  if (!resources) return undefined;
  const read = (key: 'requests' | 'limits') => {
    const block = resources.getOptionalConfig(key);
    if (!block) return undefined;
    const out: Record<string, string> = {};
    for (const name of block.keys()) {
      const value = block.get(name);
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new InputError(
          `Invalid config at sled.kubernetes.resources.${key}.${name}: must be a quantity such as '100m' or '256Mi'`,
        );
      }
      out[name] = String(value);
    }
    return out;
  };
  return { requests: read('requests'), limits: read('limits') };
}
