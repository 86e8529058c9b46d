import { useId, useState } from 'react';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import useAsync from 'react-use/esm/useAsync';
import { sledApiRef } from '../../api/SledApi';
import { ErrorPanel } from '../common/ErrorAlert';
import { DoraFigure, doraFigures } from './doraTrend';

const DAY_MS = 24 * 60 * 60 * 1000;
/** the windows a reader may pick, in days */
export const DORA_WINDOWS = [7, 30, 90] as const;

const useStyles = makeStyles(theme => ({
  value: { fontWeight: 600 },
  better: { color: theme.palette.success.main },
  worse: { color: theme.palette.error.main },
  same: { color: theme.palette.text.secondary },
}));

export interface DoraCardProps {
  /** one service; or */
  entityRef?: string;
  /** the members of a deploy group; neither: everything the reader may read */
  deployGroup?: string;
  /**
   * The environment is the reader's pick (every environment at first), or,
   * with `environmentPicker` false, this one (absent: every environment).
   */
  environment?: string;
  environmentPicker?: boolean;
}

function FigureTile(props: { figure: DoraFigure; days: number }) {
  const classes = useStyles();
  const { figure, days } = props;
  const t = figure.trend;
  let trendClass = classes.same;
  if (t?.better === true) trendClass = classes.better;
  if (t?.better === false) trendClass = classes.worse;
  const arrow = { up: '▲', down: '▼', flat: '▬' };
  return (
    <Box role="group" aria-label={figure.label}>
      <Typography variant="overline" color="textSecondary">
        {figure.label}
      </Typography>
      <Typography variant="h5" className={classes.value}>
        {figure.value}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {figure.basis}
      </Typography>
      <Typography variant="caption" className={trendClass}>
        {t
          ? `${arrow[t.direction]} ${t.change} vs previous ${days} days`
          : `nothing to compare in the previous ${days} days`}
      </Typography>
    </Box>
  );
}

/**
 * DORA metrics from the SLeD ledger: deployment frequency, lead time for
 * changes, change failure rate and time to restore over the last 7, 30 or
 * 90 days, each against the window before it.
 */
export function DoraCard(props: DoraCardProps) {
  const sledApi = useApi(sledApiRef);
  const id = useId();
  const [days, setDays] = useState<number>(30);
  const [picked, setPicked] = useState('');
  const picker = props.environmentPicker !== false;
  const environment = picker ? picked || undefined : props.environment;
  const environments = useAsync(
    async () => (picker ? sledApi.listEnvironments() : []),
    [sledApi, picker],
  );
  const metrics = useAsync(async () => {
    // whole minutes: the same window for every render of the minute
    const to = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    return sledApi.getDoraMetrics({
      entityRef: props.entityRef,
      deployGroup: props.deployGroup,
      environment,
      from: new Date(to.getTime() - days * DAY_MS).toISOString(),
      to: to.toISOString(),
    });
  }, [sledApi, props.entityRef, props.deployGroup, environment, days]);

  return (
    <InfoCard
      title="DORA metrics"
      subheader={`Last ${days} days, ${environment ?? 'every environment'}`}
    >
      <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
        <TextField
          select
          id={`${id}-window`}
          label="Window"
          value={days}
          onChange={e => setDays(Number(e.target.value))}
          style={{ minWidth: 140 }}
        >
          {DORA_WINDOWS.map(d => (
            <MenuItem key={d} value={d}>
              Last {d} days
            </MenuItem>
          ))}
        </TextField>
        {picker && (
          <TextField
            select
            id={`${id}-environment`}
            label="Environment"
            value={picked}
            onChange={e => setPicked(e.target.value)}
            style={{ minWidth: 180 }}
          >
            <MenuItem value="">All environments</MenuItem>
            {(environments.value ?? []).map(env => (
              <MenuItem key={env.name} value={env.name}>
                {env.name}
              </MenuItem>
            ))}
          </TextField>
        )}
      </Box>
      {metrics.loading && <Progress />}
      {metrics.error && <ErrorPanel error={metrics.error} />}
      {metrics.value && !metrics.loading && (
        <Grid container spacing={3}>
          {doraFigures(metrics.value.current, metrics.value.previous).map(
            figure => (
              <Grid item xs={12} sm={6} md={3} key={figure.key}>
                <FigureTile figure={figure} days={days} />
              </Grid>
            ),
          )}
        </Grid>
      )}
    </InfoCard>
  );
}
