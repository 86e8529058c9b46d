import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { DoraCard } from './DoraCard';

/**
 * The DORA card of a DeployGroup entity: the figures of its member
 * services (those the reader may read).
 *
 * @public
 */
export function EntitySledDoraCard() {
  const { entity } = useEntity();
  return <DoraCard deployGroup={stringifyEntityRef(entity)} />;
}
