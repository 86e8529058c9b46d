import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import {
  ACTIVE_DEPLOY_STATUSES,
  DeployStatus,
  EnvironmentState,
} from '@internal/plugin-sled-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { deployGroupOf } from '../common/deployGroupOf';
import { DeployStatusLabel } from '../common/DeployStatusLabel';
import { ErrorAlert, ErrorPanel } from '../common/ErrorAlert';
import {
  formatRelativeTime,
  formatTimestamp,
  shortSha,
} from '../common/format';
import { useServiceState } from '../common/useServiceState';

/**
 * Outcomes of a last deploy worth showing beside the current version: it did
 * not replace it, and someone may want to know why (or approve it).
 */
const NOTABLE_STATUSES: ReadonlyArray<DeployStatus> = [
  ...ACTIVE_DEPLOY_STATUSES,
  'awaiting_approval',
  'failed',
  'lost',
  'rejected',
  'expired',
];

function EnvironmentRow(props: { environment: EnvironmentState }) {
  const { environment, current, lastDeploy, lock } = props.environment;
  // Show the last deploy when it tells more than the current version does.
  const notable =
    lastDeploy &&
    lastDeploy.id !== current?.deploy.id &&
    NOTABLE_STATUSES.includes(lastDeploy.status)
      ? lastDeploy
      : undefined;
  return (
    <TableRow>
      <TableCell component="th" scope="row">
        <Typography variant="body2">
          <strong>{environment}</strong>
          {lock && (
            <Typography
              component="span"
              variant="caption"
              color="textSecondary"
            >
              {' '}
              (locked)
            </Typography>
          )}
        </Typography>
      </TableCell>
      <TableCell>
        {current ? (
          <>
            <Typography variant="body2">
              {current.artifact.version}{' '}
              <Typography
                component="span"
                variant="caption"
                color="textSecondary"
                title={current.artifact.commitSha}
              >
                {shortSha(current.artifact.commitSha)}
              </Typography>
            </Typography>
            {current.deploy.finishedAt && (
              <Typography
                variant="caption"
                color="textSecondary"
                title={formatTimestamp(current.deploy.finishedAt)}
              >
                deployed {formatRelativeTime(current.deploy.finishedAt)}
              </Typography>
            )}
          </>
        ) : (
          <Typography variant="body2" color="textSecondary">
            not deployed
          </Typography>
        )}
      </TableCell>
      <TableCell>
        {notable && (
          <>
            <DeployStatusLabel
              status={notable.status}
              dryRun={notable.dryRun}
            />
            <Typography variant="caption" display="block" color="textSecondary">
              {notable.artifactVersion}
            </Typography>
          </>
        )}
      </TableCell>
    </TableRow>
  );
}

/** The card's subheader: the deploy group that releases the service, if any. */
function DeployGroupSubheader(props: { group?: string }) {
  return (
    <span data-testid="sled-deployed-versions-group">
      {props.group ? (
        <>
          Released with deploy group <EntityRefLink entityRef={props.group} />
        </>
      ) : (
        'Not in a deploy group: deployed on its own'
      )}
    </span>
  );
}

/**
 * An overview card: which version of the service runs in each environment,
 * and the deploy group that releases it.
 *
 * @public
 */
export function EntitySledDeployedVersionsCard() {
  const { entity } = useEntity();
  const { state, loading, error } = useServiceState(stringifyEntityRef(entity));

  let content;
  if (loading) {
    content = <Progress />;
  } else if (error && !state) {
    content = <ErrorPanel error={error} />;
  } else if (!state || state.environments.length === 0) {
    content = (
      <Typography variant="body2" color="textSecondary">
        No environments configured.
      </Typography>
    );
  } else {
    content = (
      <>
        <ErrorAlert error={error} />
        <Table size="small" aria-label="Deployed versions">
          <TableBody>
            {state.environments.map(env => (
              <EnvironmentRow key={env.environment} environment={env} />
            ))}
          </TableBody>
        </Table>
      </>
    );
  }
  return (
    <InfoCard
      title="Deployed versions"
      subheader={<DeployGroupSubheader group={deployGroupOf(entity)} />}
    >
      {content}
    </InfoCard>
  );
}
