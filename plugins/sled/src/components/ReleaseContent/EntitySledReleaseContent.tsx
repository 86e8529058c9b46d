import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  DeployStatus,
  Release,
  ReleaseMember,
  SLED_ENVIRONMENTS_CHANNEL,
  ServiceState,
  sledGroupChannel,
  sledReleasePermission,
  sledServiceChannel,
} from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { sledApiRef } from '../../api/SledApi';
import { ActionButton } from '../common/ActionButton';
import { currentVersion } from '../common/currentVersion';
import { DeployStatusLabel } from '../common/DeployStatusLabel';
import { ErrorAlert, ErrorPanel } from '../common/ErrorAlert';
import { formatRelativeTime } from '../common/format';
import { useLiveQuery } from '../common/useLiveQuery';
import { GroupLocksCard } from './GroupLocksCard';
import { GroupPromotionCard } from './GroupPromotionCard';
import { ReleaseApprovalPanel } from './ReleaseApprovalPanel';
import { ReleaseDialog } from './ReleaseDialog';
import { deployGroupMembers } from './useDeployGroup';

/** Without signals: how often the releases are read while one runs. */
const POLL_MS = 1500;

function MemberStatus(props: { member: ReleaseMember }) {
  const { status } = props.member;
  if (status === 'pending' || status === 'not-started') {
    return <Typography variant="body2">{status}</Typography>;
  }
  return <DeployStatusLabel status={status as DeployStatus} />;
}

/** The live progress of one release, member by member. */
function ReleaseProgress(props: {
  release: Release;
  onCancel: () => void;
  onRollback: () => void;
  /** an approval decision changed the release */
  onDecided: () => void;
  /** why the actions are denied, if they are */
  deniedReason?: string;
  /** an action on it is on its way */
  busy: boolean;
}) {
  const { release, deniedReason } = props;
  const active =
    release.status === 'running' || release.status === 'awaiting_approval';
  // `id`: the table keeps a row's nodes from one poll to the next
  const members = useMemo(
    () => release.members.map(m => ({ ...m, id: m.entityRef })),
    [release.members],
  );
  const columns: TableColumn<ReleaseMember>[] = [
    { title: 'Wave', render: m => m.wave + 1 },
    {
      title: 'Service',
      render: m => <EntityRefLink entityRef={m.entityRef} />,
    },
    { title: 'Version', field: 'artifactVersion' },
    { title: 'Status', render: m => <MemberStatus member={m} /> },
    { title: 'Message', render: m => m.message ?? '' },
  ];
  return (
    <InfoCard
      title={`Release to ${release.environment}: ${release.status}${
        release.dryRun ? ' (dry run)' : ''
      }`}
      subheader={`${release.requestedBy} · ${formatRelativeTime(
        release.createdAt,
      )}${release.reason ? ` · ${release.reason}` : ''}`}
    >
      <Box
        data-testid="sled-release-progress"
        data-release-status={release.status}
      >
        {release.message && (
          <Typography paragraph>{release.message}</Typography>
        )}
        {release.status === 'awaiting_approval' && (
          <ReleaseApprovalPanel release={release} onDecided={props.onDecided} />
        )}
        <Table<ReleaseMember>
          options={{
            paging: false,
            search: false,
            toolbar: false,
            padding: 'dense',
          }}
          columns={columns}
          data={members}
        />
        <Box mt={1} display="flex" gridGap={8}>
          {active && (
            <ActionButton
              size="medium"
              variant="outlined"
              onClick={props.onCancel}
              disabled={props.busy}
              disabledReason={deniedReason}
            >
              Cancel release
            </ActionButton>
          )}
          {!active && !release.dryRun && (
            <ActionButton
              size="medium"
              variant="outlined"
              onClick={props.onRollback}
              disabled={props.busy}
              disabledReason={deniedReason}
            >
              Roll back release
            </ActionButton>
          )}
        </Box>
      </Box>
    </InfoCard>
  );
}

/**
 * The Release tab of a DeployGroup: current versions of every member in every
 * environment, the release dialog, live progress of the latest release and
 * the release history.
 *
 * @public
 */
export function EntitySledReleaseContent() {
  const { entity } = useEntity();
  const deployGroup = stringifyEntityRef(entity);
  const members = useMemo(() => deployGroupMembers(entity), [entity]);
  const sledApi = useApi(sledApiRef);
  const { allowed: canRelease, loading: checkingPermission } = usePermission({
    permission: sledReleasePermission,
    resourceRef: deployGroup,
  });
  const [selected, setSelected] = useState<string>();
  const [actionError, setActionError] = useState<Error>();
  const [dialogOpen, setDialogOpen] = useState(false);
  const [promotion, setPromotion] = useState<{
    environment: string;
    artifacts: Record<string, string>;
  }>();
  const [busy, setBusy] = useState(false);

  // the releases (each carries its members' progress): on the group's
  // signals, or without signals, polled while one runs
  const releaseList = useLiveQuery(
    () => sledApi.listReleases({ deployGroup, limit: 20 }),
    JSON.stringify(['releases', deployGroup]),
    {
      channels: [sledGroupChannel(deployGroup)],
      pollDelayMs: list =>
        list.some(
          r => r.status === 'running' || r.status === 'awaiting_approval',
        )
          ? POLL_MS
          : undefined,
    },
  );
  // the environments, the members' versions and the group's locks: on the
  // signals of the group, its members and environment-wide locks
  const overview = useLiveQuery(
    async () => {
      const [environments, memberStates, locks] = await Promise.all([
        sledApi.listEnvironments(),
        Promise.all(
          members.map(ref =>
            sledApi.getServiceState(ref).catch(() => undefined),
          ),
        ),
        sledApi.listLocks({ deployGroup }),
      ]);
      const states = memberStates.filter((s): s is ServiceState => !!s);
      return { environments, states, locks };
    },
    JSON.stringify(['group', deployGroup, members]),
    {
      channels: [
        sledGroupChannel(deployGroup),
        SLED_ENVIRONMENTS_CHANNEL,
        ...members.map(sledServiceChannel),
      ],
    },
  );
  const releases = releaseList.value;
  const environments = overview.value?.environments;
  const locks = overview.value?.locks ?? [];
  const states = overview.value?.states ?? [];
  const error = releaseList.error ?? overview.error;
  const refreshReleases = releaseList.refresh;
  const refreshOverview = overview.refresh;
  const refresh = useCallback(() => {
    refreshReleases();
    refreshOverview();
  }, [refreshReleases, refreshOverview]);

  // without signals, the members' versions are read again once a release ends
  const running = releases?.some(r => r.status === 'running') ?? false;
  const wasRunning = useRef(running);
  useEffect(() => {
    if (wasRunning.current && !running) refreshOverview();
    wasRunning.current = running;
  }, [running, refreshOverview]);

  if (error && (!releases || !environments)) {
    return <ErrorPanel error={error} />;
  }
  if (!environments || !releases) return <Progress />;

  const shown = releases.find(r => r.id === selected) ?? releases[0];
  const act = async (action: () => Promise<Release>) => {
    setActionError(undefined);
    setBusy(true);
    try {
      const release = await action();
      setSelected(release.id);
    } catch (e) {
      setActionError(e as Error);
    } finally {
      setBusy(false);
    }
    refresh();
  };
  let deniedReason: string | undefined;
  if (checkingPermission) deniedReason = 'Checking permissions…';
  else if (!canRelease) deniedReason = 'You may not release this deploy group';

  // `id`: the table keeps a row's nodes from one render to the next
  type MatrixRow = {
    id: string;
    entityRef: string;
    versions: Record<string, string>;
  };
  const matrix: MatrixRow[] = members.map(ref => {
    const state = states.find(s => s.entityRef === ref);
    const versions: Record<string, string> = {};
    for (const env of environments) {
      versions[env.name] = currentVersion(state, env.name) ?? '—';
    }
    return { id: ref, entityRef: ref, versions };
  });
  const matrixColumns: TableColumn<MatrixRow>[] = [
    {
      title: 'Service',
      render: r => <EntityRefLink entityRef={r.entityRef} />,
    },
    ...environments.map(
      (env): TableColumn<MatrixRow> => ({
        title: env.name,
        render: r => r.versions[env.name],
      }),
    ),
  ];
  const historyColumns: TableColumn<Release>[] = [
    { title: 'Started', render: r => formatRelativeTime(r.createdAt) },
    { title: 'Environment', field: 'environment' },
    {
      title: 'Status',
      render: r => `${r.status}${r.dryRun ? ' (dry run)' : ''}`,
    },
    { title: 'By', field: 'requestedBy' },
    { title: 'Reason', render: r => r.reason ?? '' },
    {
      title: '',
      render: r => (
        <Button size="small" onClick={() => setSelected(r.id)}>
          Show
        </Button>
      ),
    },
  ];

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <ErrorAlert
          error={actionError}
          onClose={() => setActionError(undefined)}
        />
        <InfoCard
          title="Current versions"
          action={
            <ActionButton
              size="medium"
              color="primary"
              variant="contained"
              disabledReason={
                deniedReason ??
                (members.length === 0 ? 'This group has no members' : undefined)
              }
              onClick={() => setDialogOpen(true)}
            >
              Release
            </ActionButton>
          }
        >
          <Table<MatrixRow>
            options={{
              paging: false,
              search: false,
              toolbar: false,
              padding: 'dense',
            }}
            columns={matrixColumns}
            data={matrix}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <GroupLocksCard
          deployGroup={deployGroup}
          environments={environments}
          locks={locks}
          deniedReason={
            canRelease
              ? undefined
              : 'You may not lock or unlock this deploy group'
          }
          onChanged={refresh}
          onError={setActionError}
        />
      </Grid>
      {environments.some(e => e.gates?.promotion?.from) && (
        <Grid item xs={12}>
          <GroupPromotionCard
            environments={environments}
            members={members}
            states={states}
            deniedReason={deniedReason}
            onPromote={(environment, artifacts) => {
              setPromotion({ environment, artifacts });
              setDialogOpen(true);
            }}
          />
        </Grid>
      )}
      {shown && (
        <Grid item xs={12}>
          <ReleaseProgress
            release={shown}
            deniedReason={deniedReason}
            busy={busy}
            onCancel={() => act(() => sledApi.cancelRelease(shown.id))}
            onRollback={() => act(() => sledApi.rollbackRelease(shown.id))}
            onDecided={refresh}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <Table<Release>
          title="Release history"
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={historyColumns}
          data={releases}
          emptyContent={<Box p={2}>No releases yet.</Box>}
        />
      </Grid>
      <ReleaseDialog
        open={dialogOpen}
        preset={promotion}
        onClose={() => {
          setDialogOpen(false);
          setPromotion(undefined);
        }}
        deployGroup={deployGroup}
        members={members}
        environments={environments}
        onReleased={release => {
          setSelected(release.id);
          refresh();
        }}
      />
    </Grid>
  );
}
