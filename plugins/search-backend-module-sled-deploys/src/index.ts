/**
 * A search backend module that indexes recent SLeD deploys as `sled-deploy`
 * documents.
 *
 * @packageDocumentation
 */
export { searchModuleSledDeploys as default } from './module';
export { SledDeploysCollatorFactory } from './collators/SledDeploysCollatorFactory';
export type { SledDeploysCollatorFactoryOptions } from './collators/SledDeploysCollatorFactory';
