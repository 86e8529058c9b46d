/**
 * Scaffolder actions of SLeD: `sled:deploy` and `sled:release` deploy or
 * release as the task's user, wait for the outcome and stream the deploy
 * log to the task.
 *
 * @packageDocumentation
 */
export { scaffolderModuleSled as default } from './module';
export { createSledDeployAction } from './actions/deploy';
export { createSledReleaseAction } from './actions/release';
