/**
 * The SLeD deploy check `ci-status`: a deploy of an artifact is refused
 * unless the CI checks recorded for it passed.
 *
 * @packageDocumentation
 */
export { sledModuleCiStatus as default } from './module';
export { CiStatusCheck } from './CiStatusCheck';
export { readCiStatusSettings } from './CiStatusSettings';
export type { CiStatusSettings } from './CiStatusSettings';
