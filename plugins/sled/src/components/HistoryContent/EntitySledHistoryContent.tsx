import { useId, useMemo, useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useAppSearchParams } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  DEPLOY_STATUSES,
  Deploy,
  DeployStatus,
} from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ErrorPanel } from '../common/ErrorAlert';
import { sledApiRef } from '../../api/SledApi';
import { DeployStatusLabel } from '../common/DeployStatusLabel';
import { KeysetTable } from '../common/KeysetTable';
import { PAGE_SIZES } from '../common/PageControls';
import {
  deployDurationMs,
  formatDeployStatus,
  formatDuration,
  formatRelativeTime,
  formatRequester,
  formatTimestamp,
} from '../common/format';
import { DoraCard } from '../DoraCard';
import { DeployDetailDialog } from './DeployDetailDialog';
import { computeDeployStats } from './deployStats';
import { DeployStatsChart } from './DeployStatsChart';
import { useDeployPages } from './useDeployPages';
import { useRecentDeploys } from './useRecentDeploys';

const columns: TableColumn<Deploy>[] = [
  {
    title: 'When',
    field: 'createdAt',
    render: d => (
      <span title={formatTimestamp(d.createdAt)}>
        {formatRelativeTime(d.createdAt)}
      </span>
    ),
  },
  { title: 'Environment', field: 'environment' },
  {
    title: 'Version',
    field: 'artifactVersion',
    render: d => (
      <>
        {d.artifactVersion}
        {d.rollbackOf ? ' (rollback)' : ''}
      </>
    ),
  },
  {
    title: 'Who',
    field: 'requestedBy',
    render: d => formatRequester(d.requestedBy),
  },
  {
    title: 'Status',
    field: 'status',
    render: d => (
      <>
        <DeployStatusLabel status={d.status} dryRun={d.dryRun} />
        {d.gatesOverridden && (
          <Typography variant="caption" display="block" color="textSecondary">
            gates overridden
          </Typography>
        )}
      </>
    ),
  },
  {
    title: 'Duration',
    render: d => {
      const ms = deployDurationMs(d);
      return ms === undefined ? '–' : formatDuration(ms);
    },
  },
  { title: 'Reason', field: 'reason', render: d => d.reason ?? '' },
];

function HistoryChart(props: { entityRef: string; environment?: string }) {
  const { value, loading, error } = useRecentDeploys(
    props.entityRef,
    props.environment,
  );
  const stats = useMemo(
    () => (value ? computeDeployStats(value) : undefined),
    [value],
  );
  return (
    <InfoCard title="Deploy durations and success rate">
      {loading && <Progress />}
      {error && <ErrorPanel error={error} />}
      {stats &&
        (stats.total === 0 ? (
          <Typography variant="body2" color="textSecondary">
            No deploys to chart yet.
          </Typography>
        ) : (
          <DeployStatsChart stats={stats} />
        ))}
    </InfoCard>
  );
}

/**
 * The History tab: every deploy of the service, newest first, paged on the
 * server, with filters, a chart of durations and success rate, and a detail
 * view with the full log (also reachable as `?deploy=<id>`).
 *
 * @public
 */
export function EntitySledHistoryContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const sledApi = useApi(sledApiRef);
  const [searchParams, setSearchParams] = useAppSearchParams();
  const [environment, setEnvironment] = useState('');
  const [status, setStatus] = useState<DeployStatus[]>([]);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[0]);
  const filters = useMemo(
    () => ({ environment: environment || undefined, status }),
    [environment, status],
  );
  const pages = useDeployPages(entityRef, filters, pageSize);
  const environments = useAsync(() => sledApi.listEnvironments(), [sledApi]);
  const openDeployId = searchParams.get('deploy') ?? undefined;
  const id = useId();

  const openDeploy = (deployId?: string) => {
    setSearchParams(
      previous => {
        const next = new URLSearchParams(previous);
        if (deployId) {
          next.set('deploy', deployId);
        } else {
          next.delete('deploy');
        }
        return next;
      },
      { replace: !deployId },
    );
  };

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box display="flex" flexWrap="wrap" style={{ gap: 16 }}>
          <TextField
            select
            id={`${id}-environment`}
            label="Environment"
            value={environment}
            onChange={e => setEnvironment(e.target.value)}
            style={{ minWidth: 180 }}
          >
            <MenuItem value="">All environments</MenuItem>
            {(environments.value ?? []).map(env => (
              <MenuItem key={env.name} value={env.name}>
                {env.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            id={`${id}-status`}
            label="Status"
            value={status}
            onChange={e =>
              setStatus(e.target.value as unknown as DeployStatus[])
            }
            SelectProps={{
              multiple: true,
              renderValue: selected =>
                (selected as DeployStatus[]).length
                  ? (selected as DeployStatus[])
                      .map(formatDeployStatus)
                      .join(', ')
                  : 'Any status',
              displayEmpty: true,
            }}
            InputLabelProps={{ shrink: true }}
            style={{ minWidth: 220 }}
          >
            {DEPLOY_STATUSES.map(s => (
              <MenuItem key={s} value={s}>
                {formatDeployStatus(s)}
              </MenuItem>
            ))}
          </TextField>
        </Box>
      </Grid>
      <Grid item xs={12}>
        <KeysetTable<Deploy>
          title="Deploys"
          columns={columns}
          pages={pages}
          pageSize={pageSize}
          onPageSizeChange={setPageSize}
          onRowClick={deploy => openDeploy(deploy.id)}
          loadingText="Loading deploys…"
          emptyText="No deploys match these filters."
        />
      </Grid>
      <Grid item xs={12}>
        <HistoryChart entityRef={entityRef} environment={filters.environment} />
      </Grid>
      <Grid item xs={12}>
        <DoraCard
          entityRef={entityRef}
          environment={filters.environment}
          environmentPicker={false}
        />
      </Grid>
      <DeployDetailDialog
        deployId={openDeployId}
        onClose={() => openDeploy(undefined)}
      />
    </Grid>
  );
}
