/**
 * SLeD backend plugin: deploy API, store, queue and executors.
 *
 * @packageDocumentation
 */
export { sledPlugin as default } from './plugin';
export {
  sledTargetResourceRef,
  sledTargetRules,
  sledTargetConditions,
  createSledTargetConditionalDecision,
} from './permissions/rules';
export type { SledTarget } from './permissions/rules';
export type {
  DeployExecutor,
  DeployJob,
  DeployReporter,
} from './executors/DeployExecutor';
