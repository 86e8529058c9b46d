import { parseEntityRef } from '@backstage/catalog-model';
import { Deploy } from '@internal/plugin-sled-common';

/** An entity's page in the app, at one of its tabs. */
export function entityLink(entityRef: string, tab: string): string {
  const ref = parseEntityRef(entityRef);
  return `/catalog/${ref.namespace}/${ref.kind.toLocaleLowerCase('en-US')}/${
    ref.name
  }/${tab}`;
}

/** Where a deploy is seen in the app: its service's Deploy tab. */
export function deployLink(deploy: Deploy): string {
  return `${entityLink(deploy.entityRef, 'sled-deploy')}?deploy=${deploy.id}`;
}
