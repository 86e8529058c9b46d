/**
 * libdeploy: typed deploy scripts for SLeD.
 *
 * @packageDocumentation
 */
export {
  CONTRACT_VARIABLES,
  ContractError,
  exampleContractEnvironment,
  readContract,
} from './contract.ts';
export type { DeployContract } from './contract.ts';
export { USAGE, UsageError, parseFlags } from './flags.ts';
export type { DeployFlags, DeployMode } from './flags.ts';
export { EXIT, deploy } from './deploy.ts';
export type {
  DeployContext,
  DeployOptions,
  DeployPlan,
  PlanResources,
  VerifyContext,
} from './deploy.ts';
export { formatIssue } from './target.ts';
export type {
  DeployLog,
  DeployTarget,
  TargetContext,
  TargetSession,
  ValidationIssue,
} from './target.ts';
export { httpCheck } from './verify.ts';
export type { HttpCheckOptions } from './verify.ts';
export { CLI_USAGE, runCli } from './cli.ts';
export { kubernetes } from './kubernetes/KubernetesTarget.ts';
export type {
  KubernetesResource,
  KubernetesTargetOptions,
} from './kubernetes/KubernetesTarget.ts';
export {
  configMap,
  configMapRef,
  cronJob,
  kubernetesHelpers,
  secretEnv,
  secretRef,
  statefulService,
  statelessService,
} from './kubernetes/helpers.ts';
export type {
  ContainerOptions,
  CronJobOptions,
  EnvFrom,
  EnvValue,
  KubernetesHelpers,
  ProbeOptions,
  ResourceOptions,
  StatefulServiceOptions,
  StatelessServiceOptions,
  VolumeClaimOptions,
} from './kubernetes/helpers.ts';
export {
  ANNOTATIONS,
  FIELD_MANAGER,
  LABELS,
  MANAGED_BY,
  labelValue,
} from './kubernetes/labels.ts';
export { isPinnedByDigest } from './kubernetes/image.ts';
export type { KubernetesObject } from './kubernetes/kinds.ts';
