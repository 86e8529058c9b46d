import { Entity } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Alert from '@material-ui/lab/Alert';
import { RELATION_DEPLOY_MEMBER_OF } from '@internal/plugin-sled-common';

/** Which deploy group releases this service, from the catalog relation. */
export function DeployGroupNotice(props: { entity: Entity }) {
  const group = props.entity.relations?.find(
    r => r.type === RELATION_DEPLOY_MEMBER_OF,
  );
  return (
    <Alert severity="info" data-testid="sled-deploy-group">
      {group ? (
        <>
          Released with deploy group{' '}
          <EntityRefLink entityRef={group.targetRef} />.
        </>
      ) : (
        'Not in a deploy group: this service is only deployed on its own.'
      )}
    </Alert>
  );
}
