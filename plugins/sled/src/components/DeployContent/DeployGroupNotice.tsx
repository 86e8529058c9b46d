import { Entity } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Alert from '@material-ui/lab/Alert';
import { deployGroupOf } from '../common/deployGroupOf';

/** Which deploy group releases this service, from the catalog relation. */
export function DeployGroupNotice(props: { entity: Entity }) {
  const group = deployGroupOf(props.entity);
  return (
    <Alert severity="info" data-testid="sled-deploy-group">
      {group ? (
        <>
          Released with deploy group <EntityRefLink entityRef={group} />.
        </>
      ) : (
        'Not in a deploy group: this service is only deployed on its own.'
      )}
    </Alert>
  );
}
