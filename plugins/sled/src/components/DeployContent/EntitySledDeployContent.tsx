import { useCallback, useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ACTIVE_DEPLOY_STATUSES,
  Deploy,
  DeployStatus,
  ServiceState,
} from '@internal/plugin-sled-common';
import Grid from '@material-ui/core/Grid';
import Alert from '@material-ui/lab/Alert';
import { DeployLog } from '../DeployLog/DeployLog';
import { ErrorAlert, ErrorPanel } from '../common/ErrorAlert';
import { useServiceState } from '../common/useServiceState';
import { DeployGroupNotice } from './DeployGroupNotice';
import { EnvironmentCard } from './EnvironmentCard';
import { PendingApprovalsCard } from './PendingApprovalsCard';

function newestDeploy(state: ServiceState | undefined): Deploy | undefined {
  let newest: Deploy | undefined;
  for (const env of state?.environments ?? []) {
    if (
      env.lastDeploy &&
      (!newest || env.lastDeploy.createdAt > newest.createdAt)
    ) {
      newest = env.lastDeploy;
    }
  }
  return newest;
}

/** The latest known version of a deploy: state is fresher than a stored copy. */
function freshest(deploy: Deploy, state: ServiceState | undefined): Deploy {
  const fromState = state?.environments.find(
    env => env.lastDeploy?.id === deploy.id,
  )?.lastDeploy;
  return fromState ?? deploy;
}

/** What the tab says of a deploy just requested, if it is not simply queued. */
function describeRequested(deploy: Deploy): string | undefined {
  switch (deploy.status) {
    case 'skipped':
      return `Nothing to do: ${deploy.artifactVersion} already runs in ${
        deploy.environment
      }.${deploy.message ? ` ${deploy.message}` : ''}`;
    case 'awaiting_approval':
      return `${deploy.artifactVersion} to ${deploy.environment} waits for approval: it starts once approved.`;
    default:
      return undefined;
  }
}

/** A deploy that has no log (yet): it waits for approval or never ran. */
function NoLogYet(props: { deploy: Deploy }) {
  const { deploy } = props;
  const what = `${deploy.artifactVersion} to ${deploy.environment}`;
  return (
    <EmptyState
      missing="content"
      title={
        deploy.status === 'awaiting_approval'
          ? `${what} waits for approval`
          : `${what} was ${deploy.status}`
      }
      description={
        deploy.status === 'awaiting_approval'
          ? 'Its log starts once it is approved and runs.'
          : 'It never ran, so it has no log.'
      }
    />
  );
}

const NEVER_RAN: ReadonlyArray<DeployStatus> = [
  'awaiting_approval',
  'rejected',
  'expired',
];

/**
 * The Deploy tab: one card per environment with what runs there and the
 * actions on it, and the live log of the selected (by default the newest)
 * deploy.
 *
 * @public
 */
export function EntitySledDeployContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const { state, loading, error, refresh } = useServiceState(entityRef);
  const [selected, setSelected] = useState<Deploy>();
  const [notice, setNotice] = useState<string>();
  const [pendingKey, setPendingKey] = useState(0);
  const onDecided = useCallback(
    (deploy: Deploy, message: string) => {
      setNotice(message);
      setPendingKey(k => k + 1);
      refresh();
      if (ACTIVE_DEPLOY_STATUSES.includes(deploy.status)) {
        setSelected(deploy);
      }
    },
    [refresh],
  );

  if (loading) {
    return <Progress />;
  }
  if (error && !state) {
    return <ErrorPanel error={error} />;
  }
  if (!state || state.environments.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No environments"
        description="The sled backend has no environments configured (sled.environments in app-config)."
      />
    );
  }

  const shown = selected ? freshest(selected, state) : newestDeploy(state);
  const shownActive = shown
    ? ACTIVE_DEPLOY_STATUSES.includes(shown.status)
    : false;

  const onChanged = (deploy?: Deploy) => {
    refresh();
    setPendingKey(k => k + 1);
    if (deploy) {
      setSelected(deploy);
      setNotice(describeRequested(deploy));
    }
  };

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <DeployGroupNotice entity={entity} />
        <PendingApprovalsCard
          entityRef={entityRef}
          refreshKey={pendingKey}
          onDecided={onDecided}
        />
      </Grid>
      {error && (
        <Grid item xs={12}>
          <ErrorAlert error={error} />
        </Grid>
      )}
      {notice && (
        <Grid item xs={12}>
          <Alert severity="info" onClose={() => setNotice(undefined)}>
            {notice}
          </Alert>
        </Grid>
      )}
      {state.environments.map(env => (
        <Grid item xs={12} md={6} lg={4} key={env.environment}>
          <EnvironmentCard
            entityRef={entityRef}
            environment={env}
            environments={state.environments}
            onChanged={onChanged}
            onShowLog={setSelected}
            selectedDeployId={shown?.id}
          />
        </Grid>
      ))}
      <Grid item xs={12}>
        <InfoCard
          title={
            shown
              ? `Log: ${shown.artifactVersion} to ${shown.environment}`
              : 'Log'
          }
        >
          {shown && NEVER_RAN.includes(shown.status) && (
            <NoLogYet deploy={shown} />
          )}
          {shown && !NEVER_RAN.includes(shown.status) && (
            <DeployLog
              key={shown.id}
              deployId={shown.id}
              follow={shownActive}
              onFollowEnd={refresh}
            />
          )}
          {!shown && (
            <EmptyState
              missing="content"
              title="No deploys yet"
              description="Deploy an artifact to one of the environments above and its log appears here."
            />
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
}
