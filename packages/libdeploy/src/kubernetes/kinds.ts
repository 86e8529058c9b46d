/**
 * The Kubernetes kinds libdeploy knows: their typed model (kubernetes-models,
 * which carries the OpenAPI schema and validates at run time), the order
 * they are applied in, and whether a rollout is waited for.
 */
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';

/**
 * A Kubernetes object as plain data (what is sent to the API server).
 *
 * @public
 */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

interface ModelClass {
  new (data: any): { validate(): void; toJSON(): any };
}

export interface KindInfo {
  apiVersion: string;
  kind: string;
  model: ModelClass;
  namespaced: boolean;
  /** lower first: what others refer to (config, accounts, services) before workloads */
  order: number;
  /** waited for after apply */
  rollout?: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  /** listed when pruning even when the plan declares none of it */
  prunedByDefault?: boolean;
}

const KINDS: KindInfo[] = [
  { model: ServiceAccount, order: 10 },
  { model: ConfigMap, order: 10, prunedByDefault: true },
  { model: Secret, order: 10 },
  { model: PersistentVolumeClaim, order: 20 },
  { model: Service, order: 30, prunedByDefault: true },
  {
    model: Deployment,
    order: 40,
    rollout: 'Deployment',
    prunedByDefault: true,
  },
  {
    model: StatefulSet,
    order: 40,
    rollout: 'StatefulSet',
    prunedByDefault: true,
  },
  { model: DaemonSet, order: 40, rollout: 'DaemonSet' },
  { model: CronJob, order: 40, prunedByDefault: true },
  { model: Job, order: 40 },
  { model: PodDisruptionBudget, order: 50, prunedByDefault: true },
  { model: HorizontalPodAutoscaler, order: 50 },
  { model: Ingress, order: 60 },
  { model: NetworkPolicy, order: 60 },
].map(k => {
  const model = k.model as unknown as ModelClass & {
    apiVersion: string;
    kind: string;
  };
  return {
    ...k,
    model,
    apiVersion: model.apiVersion,
    kind: model.kind,
    namespaced: true,
  } as KindInfo;
});

/** The kind of an object, when libdeploy knows it. */
export function kindOf(obj: {
  apiVersion?: string;
  kind?: string;
}): KindInfo | undefined {
  return KINDS.find(
    k => k.apiVersion === obj.apiVersion && k.kind === obj.kind,
  );
}

/** Kinds listed by prune even when no longer declared. */
export function defaultPrunedKinds(): Array<{
  apiVersion: string;
  kind: string;
}> {
  return KINDS.filter(k => k.prunedByDefault).map(k => ({
    apiVersion: k.apiVersion,
    kind: k.kind,
  }));
}

/** `Deployment/cart` (and the namespace when given). */
export function refOf(obj: KubernetesObject): string {
  return `${obj.kind}/${obj.metadata?.name ?? '(no name)'}`;
}

/** Identity of an object in a cluster: group/kind/namespace/name. */
export function keyOf(obj: KubernetesObject): string {
  const group = obj.apiVersion.includes('/')
    ? obj.apiVersion.split('/')[0]
    : '';
  return `${group}/${obj.kind}/${obj.metadata?.namespace ?? ''}/${
    obj.metadata?.name ?? ''
  }`;
}

/** Applies in dependency order (config before workloads, workloads before budgets). */
export function applyOrder(objects: KubernetesObject[]): KubernetesObject[] {
  return objects
    .map((o, i) => ({ o, i, order: kindOf(o)?.order ?? 45 }))
    .sort((a, b) => a.order - b.order || a.i - b.i)
    .map(x => x.o);
}
