/**
 * Example role-based permission policy for SLeD.
 *
 * @packageDocumentation
 */
export { permissionModuleSledPolicy as default } from './module';
export { SledRolePolicy, readSledRoles, SLED_ACTIONS } from './SledRolePolicy';
export type { SledRole } from './SledRolePolicy';
