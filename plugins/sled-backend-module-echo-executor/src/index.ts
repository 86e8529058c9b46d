/**
 * An example SLeD executor module: the `echo` executor writes what a deploy
 * would run to its log, and ends it as its environment configures.
 *
 * @packageDocumentation
 */
export { sledModuleEchoExecutor as default } from './module';
export { EchoExecutor } from './EchoExecutor';
export { readEchoSettings } from './EchoSettings';
export type { EchoSettings } from './EchoSettings';
