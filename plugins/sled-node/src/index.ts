/**
 * Node library of SLeD: the executors and deploy-checks extension points
 * that backend modules extend SLeD with, and the service other backend
 * plugins call SLeD with.
 *
 * @packageDocumentation
 */
export type { EnvironmentConfig } from './EnvironmentConfig';
export type {
  DeployExecutor,
  DeployJob,
  DeployLaunch,
  DeployOutcome,
  DeployReporter,
} from './DeployExecutor';
export { deployArgv, deployEnvironment } from './deployScript';
export type { ExecutorDeploys } from './ExecutorDeploys';
export { sledExecutorsExtensionPoint } from './SledExecutorsExtensionPoint';
export type {
  SledExecutorContext,
  SledExecutorEnvironment,
  SledExecutorRegistration,
  SledExecutorsExtensionPoint,
} from './SledExecutorsExtensionPoint';
export type {
  DeployCheck,
  DeployCheckContext,
  DeployCheckRefusal,
} from './DeployCheck';
export { sledDeployChecksExtensionPoint } from './SledDeployChecksExtensionPoint';
export type { SledDeployChecksExtensionPoint } from './SledDeployChecksExtensionPoint';
export { sledServiceRef } from './sledServiceRef';
export type { SledRequestOptions, SledService } from './SledService';
export { SledApiService } from './SledApiService';
export { sledError } from './sledError';
export { findArtifact } from './findArtifact';
