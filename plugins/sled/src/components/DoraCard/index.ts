export { DoraCard } from './DoraCard';
export type { DoraCardProps } from './DoraCard';
export { EntitySledDoraCard } from './EntitySledDoraCard';
