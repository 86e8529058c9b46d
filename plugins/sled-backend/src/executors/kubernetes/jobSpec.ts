import { V1Job } from '@kubernetes/client-node';
import { SledConfig } from '../../config';
import { hashOf } from '../../database/contentHash';
import {
  DeployJob,
  deployArgv,
  deployEnvironment,
} from '@internal/plugin-sled-node';

export const LABEL_DEPLOY_ID = 'sled.dev/deploy-id';
export const LABEL_SERVICE = 'sled.dev/service';
export const LABEL_ENVIRONMENT = 'sled.dev/environment';
/** set on a Job's pods by Kubernetes' Job controller */
export const LABEL_JOB_NAME = 'job-name';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'sled';
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;
export const ANNOTATION_SPEC_HASH = 'sled.dev/spec-hash';
export const ANNOTATION_ARTIFACT_ID = 'sled.dev/artifact-id';
export const ANNOTATION_ARTIFACT_VERSION = 'sled.dev/artifact-version';
export const ANNOTATION_SERVICE = 'sled.dev/service';
export const CONTAINER_NAME = 'deploy';

/**
 * The Job name of a deploy: `sled-` and the first 20 hex digits of its id
 * (25 characters, leaving room for the pod suffix within 63).
 */
export function jobNameFor(deployId: string): string {
  return `sled-${deployId.replace(/-/g, '').toLowerCase().slice(0, 20)}`;
}

/** A valid label value: at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends. */
export function labelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.-]+/g, '.')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
}

export type KubernetesSettings = SledConfig['kubernetes'];

/** The Job of a deploy, and the hash of its spec (recorded as an annotation). */
export function buildJob(
  job: DeployJob,
  settings: KubernetesSettings,
): { body: V1Job; specHash: string } {
  const { deploy, artifact, launch } = job;
  if (!launch.image) {
    throw new Error(
      `No deployer image for ${deploy.entityRef}: set the sled.dev/deployer-image annotation of its catalog entity or sled.kubernetes.defaultDeployerImage (or register the artifact with an allowed deploy.image)`,
    );
  }
  const labels = {
    [LABEL_DEPLOY_ID]: deploy.id,
    [LABEL_SERVICE]: labelValue(deploy.entityRef),
    [LABEL_ENVIRONMENT]: labelValue(deploy.environment),
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
  const env = deployEnvironment(job);
  const resources = settings.resources;
  const spec = {
    backoffLimit: 0,
    activeDeadlineSeconds: settings.activeDeadlineSeconds,
    ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished,
    template: {
      metadata: { labels },
      spec: {
        restartPolicy: 'Never',
        // a deploy script that applies to the cluster (libdeploy) runs as
        // this account, with the Role of its namespace
        ...(settings.serviceAccountName
          ? { serviceAccountName: settings.serviceAccountName }
          : {}),
        containers: [
          {
            name: CONTAINER_NAME,
            image: launch.image,
            command: deployArgv(job),
            env: Object.entries(env).map(([name, value]) => ({ name, value })),
            ...(resources && (resources.requests || resources.limits)
              ? {
                  resources: {
                    requests: resources.requests,
                    limits: resources.limits,
                  },
                }
              : {}),
          },
        ],
      },
    },
  };
  const annotations = {
    [ANNOTATION_SERVICE]: deploy.entityRef,
    [ANNOTATION_ARTIFACT_ID]: artifact.id,
    [ANNOTATION_ARTIFACT_VERSION]: artifact.version,
  };
  const specHash = hashOf({ labels, annotations, spec }).slice(0, 32);
  const body: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(deploy.id),
      labels,
      annotations: { ...annotations, [ANNOTATION_SPEC_HASH]: specHash },
    },
    spec: spec as V1Job['spec'],
  };
  return { body, specHash };
}

/** The outcome a finished Job stands for, or undefined while it runs. */
export function jobOutcome(
  job: V1Job,
): { status: 'succeeded' | 'failed'; message?: string } | undefined {
  const conditions = job.status?.conditions ?? [];
  const isTrue = (type: string) =>
    conditions.find(c => c.type === type && c.status === 'True');
  if (isTrue('Complete')) return { status: 'succeeded' };
  const failed = isTrue('Failed');
  if (failed) {
    if (failed.reason === 'DeadlineExceeded') {
      return {
        status: 'failed',
        message: `The deadline passed: the Job ran longer than activeDeadlineSeconds (${job.spec?.activeDeadlineSeconds} s) and Kubernetes stopped it`,
      };
    }
    return {
      status: 'failed',
      message: `The deploy script failed${
        failed.reason
          ? ` (${failed.reason}${failed.message ? `: ${failed.message}` : ''})`
          : ''
      }`,
    };
  }
  return undefined;
}
