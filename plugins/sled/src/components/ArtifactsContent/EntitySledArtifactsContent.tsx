import { useMemo, useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Artifact, Deploy } from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { sledApiRef } from '../../api/SledApi';
import { ActionButton } from '../common/ActionButton';
import { ErrorAlert } from '../common/ErrorAlert';
import { KeysetTable } from '../common/KeysetTable';
import { PAGE_SIZES } from '../common/PageControls';
import { SafeLink } from '../common/SafeLink';
import {
  formatDeployStatus,
  formatRelativeTime,
  formatTimestamp,
  shortSha,
} from '../common/format';
import { useDeployableEnvironments } from '../common/useAllowedEnvironments';
import { useKeysetPages } from '../common/useKeysetPages';
import { useServiceState } from '../common/useServiceState';
import { DeployDialog } from '../DeployDialog/DeployDialog';

// Plain class names in cells: a styled Box per row costs a style sheet each.
const useStyles = makeStyles({
  chips: { display: 'flex', flexWrap: 'wrap', gap: 4 },
  sha: { fontFamily: 'monospace' },
});

/**
 * The Artifacts tab: every build of the service, newest first, paged on the
 * server, with where each one runs and a Deploy action.
 *
 * @public
 */
export function EntitySledArtifactsContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const sledApi = useApi(sledApiRef);
  const classes = useStyles();
  const [pageSize, setPageSize] = useState(PAGE_SIZES[0]);
  const [deploying, setDeploying] = useState<Artifact>();
  const [dialogOpen, setDialogOpen] = useState(false);
  const [lastDeploy, setLastDeploy] = useState<Deploy>();
  const service = useServiceState(entityRef);
  const environments = useMemo(
    () => service.state?.environments ?? [],
    [service.state],
  );
  const environmentNames = useMemo(
    () => environments.map(e => e.environment),
    [environments],
  );
  const deployable = useDeployableEnvironments(entityRef, environmentNames);
  const pages = useKeysetPages(
    cursor => sledApi.listArtifacts({ entityRef, limit: pageSize, cursor }),
    JSON.stringify([entityRef, pageSize]),
  );

  const deployedIn = useMemo(() => {
    const byArtifact = new Map<string, string[]>();
    for (const env of environments) {
      const id = env.current?.artifact.id;
      if (id) {
        byArtifact.set(id, [...(byArtifact.get(id) ?? []), env.environment]);
      }
    }
    return byArtifact;
  }, [environments]);

  let deployDisabledReason: string | undefined;
  if (deployable.loading || service.loading) {
    deployDisabledReason = 'Checking permissions…';
  } else if (deployable.error) {
    deployDisabledReason = `Could not check permissions: ${deployable.error.message}`;
  } else if (environments.length === 0) {
    deployDisabledReason = 'No environments to deploy to';
  } else if (deployable.allowed.size === 0) {
    deployDisabledReason =
      'You are not allowed to deploy this service to any environment';
  }

  const columns = useMemo(
    (): TableColumn<Artifact>[] => [
      {
        title: 'Version',
        field: 'version',
        render: a => <strong>{a.version}</strong>,
      },
      {
        title: 'Commit',
        field: 'commitSha',
        render: a => (
          <Typography
            variant="body2"
            component="span"
            className={classes.sha}
            title={a.commitSha}
          >
            {shortSha(a.commitSha)}
          </Typography>
        ),
      },
      {
        title: 'Merge request',
        render: a =>
          a.mergeRequest ? (
            <>
              <SafeLink to={a.mergeRequest.url}>
                {a.mergeRequest.title}
              </SafeLink>
              {a.mergeRequest.mergedAt && (
                <Typography
                  variant="caption"
                  display="block"
                  color="textSecondary"
                >
                  merged{' '}
                  <span title={formatTimestamp(a.mergeRequest.mergedAt)}>
                    {formatRelativeTime(a.mergeRequest.mergedAt)}
                  </span>
                </Typography>
              )}
            </>
          ) : (
            '–'
          ),
      },
      {
        title: 'Built',
        field: 'createdAt',
        render: a => {
          const when = (
            <span title={formatTimestamp(a.createdAt)}>
              {formatRelativeTime(a.createdAt)}
            </span>
          );
          return a.buildUrl ? (
            <SafeLink to={a.buildUrl}>{when}</SafeLink>
          ) : (
            when
          );
        },
      },
      {
        title: 'Deployed in',
        render: a => (
          <div className={classes.chips}>
            {(deployedIn.get(a.id) ?? []).map(env => (
              <Chip key={env} size="small" label={env} color="primary" />
            ))}
          </div>
        ),
      },
      {
        title: 'Actions',
        render: a => (
          <ActionButton
            variant="outlined"
            color="primary"
            onClick={() => {
              setDeploying(a);
              setDialogOpen(true);
            }}
            disabledReason={deployDisabledReason}
          >
            Deploy
          </ActionButton>
        ),
      },
    ],
    [classes, deployedIn, deployDisabledReason],
  );

  return (
    <Box>
      {service.error && (
        <Box mb={2}>
          <ErrorAlert error={service.error} />
        </Box>
      )}
      {lastDeploy && (
        <Box mb={2}>
          <Alert severity="info" onClose={() => setLastDeploy(undefined)}>
            {lastDeploy.status === 'skipped'
              ? `Nothing to do: ${lastDeploy.artifactVersion} already runs in ${lastDeploy.environment}.`
              : `Deploy of ${lastDeploy.artifactVersion} to ${
                  lastDeploy.environment
                } is ${formatDeployStatus(
                  lastDeploy.status,
                )}. Follow it on the Deploy tab.`}
          </Alert>
        </Box>
      )}
      <KeysetTable<Artifact>
        title="Artifacts"
        columns={columns}
        pages={pages}
        pageSize={pageSize}
        onPageSizeChange={setPageSize}
        loadingText="Loading artifacts…"
        emptyText="No artifacts yet. CI registers one after every merge (POST /api/sled/artifacts)."
      />
      <DeployDialog
        open={dialogOpen && Boolean(deploying)}
        onClose={() => setDialogOpen(false)}
        entityRef={entityRef}
        environments={environments}
        artifact={deploying}
        allowedEnvironments={deployable.allowed}
        onDeployed={deploy => {
          setLastDeploy(deploy);
          service.refresh();
        }}
      />
    </Box>
  );
}
