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
  sledLockResourceRef,
  sledLockRules,
  sledLockConditions,
  createSledLockConditionalDecision,
  sledGateResourceRef,
  sledGateRules,
  sledGateConditions,
  createSledGateConditionalDecision,
  sledDeployGroupResourceRef,
  sledDeployGroupRules,
  sledDeployGroupConditions,
  createSledDeployGroupConditionalDecision,
} from './permissions/rules';
export type {
  SledTarget,
  SledDeployGroupResource,
  SledDeployGroupQuery,
} from './permissions/rules';
// the executor and deploy-check contracts are @internal/plugin-sled-node's
