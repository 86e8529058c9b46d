/**
 * Types and permissions shared by the SLeD frontend and backend plugins.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './permissions';
export * from './search';
export * from './deployGroups';
export * from './client';
export * from './signals';
