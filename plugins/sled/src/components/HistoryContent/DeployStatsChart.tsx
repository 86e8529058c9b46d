import { useTheme } from '@material-ui/core/styles';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { formatDuration } from '../common/format';
import { DeployStats, daySuccessRate } from './deployStats';

const WIDTH = 640;
const PLOT_HEIGHT = 140;
const RATE_HEIGHT = 24;
const PAD_LEFT = 48;
const PAD_RIGHT = 12;
const PAD_TOP = 8;
const HEIGHT = PAD_TOP + PLOT_HEIGHT + 8 + RATE_HEIGHT + 20;

function formatPercent(rate: number | undefined): string {
  return rate === undefined ? '–' : `${Math.round(rate * 1000) / 10}%`;
}

/**
 * Deploy durations over time (p50 and p95 per day) above a strip of daily
 * success rates. Hand-drawn SVG: no chart library for two lines.
 */
export function DeployStatsChart(props: { stats: DeployStats }) {
  const { stats } = props;
  const theme = useTheme();
  const days = stats.days;
  const maxMs = Math.max(1000, ...days.map(d => d.p95 ?? 0));
  const plotWidth = WIDTH - PAD_LEFT - PAD_RIGHT;
  const x = (i: number) =>
    PAD_LEFT +
    (days.length <= 1 ? plotWidth / 2 : (i * plotWidth) / (days.length - 1));
  const y = (ms: number) => PAD_TOP + PLOT_HEIGHT - (ms / maxMs) * PLOT_HEIGHT;
  const line = (pick: 'p50' | 'p95') =>
    days
      .map((d, i) =>
        d[pick] === undefined ? undefined : `${x(i)},${y(d[pick]!)}`,
      )
      .filter(Boolean)
      .join(' ');
  const rateTop = PAD_TOP + PLOT_HEIGHT + 8;
  const barWidth = Math.max(
    2,
    Math.min(16, plotWidth / Math.max(1, days.length) - 2),
  );
  const ok = theme.palette.success?.main ?? '#2e7d32';
  const bad = theme.palette.error.main;

  return (
    <Box>
      <Typography
        variant="body2"
        gutterBottom
        data-testid="deploy-stats-summary"
      >
        {stats.total} recent deploys · success rate{' '}
        <strong>{formatPercent(stats.successRate)}</strong> · p50{' '}
        <strong>
          {stats.p50 === undefined ? '–' : formatDuration(stats.p50)}
        </strong>{' '}
        · p95{' '}
        <strong>
          {stats.p95 === undefined ? '–' : formatDuration(stats.p95)}
        </strong>
      </Typography>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label="Deploy duration p50 and p95 per day, and daily success rate"
        style={{ maxHeight: 240 }}
      >
        <line
          x1={PAD_LEFT}
          x2={WIDTH - PAD_RIGHT}
          y1={PAD_TOP + PLOT_HEIGHT}
          y2={PAD_TOP + PLOT_HEIGHT}
          stroke={theme.palette.divider}
        />
        <text
          x={PAD_LEFT - 6}
          y={PAD_TOP + 10}
          textAnchor="end"
          fontSize={10}
          fill={theme.palette.text.secondary}
        >
          {formatDuration(maxMs)}
        </text>
        <text
          x={PAD_LEFT - 6}
          y={PAD_TOP + PLOT_HEIGHT}
          textAnchor="end"
          fontSize={10}
          fill={theme.palette.text.secondary}
        >
          0s
        </text>
        <polyline
          points={line('p95')}
          fill="none"
          stroke={theme.palette.secondary.main}
          strokeWidth={1.5}
          strokeDasharray="4 3"
        />
        <polyline
          points={line('p50')}
          fill="none"
          stroke={theme.palette.primary.main}
          strokeWidth={2}
        />
        {days.map((d, i) => {
          const rate = daySuccessRate(d);
          const height =
            rate === undefined ? 0 : Math.max(2, rate * RATE_HEIGHT);
          return (
            <g key={d.day}>
              <title>
                {`${d.day}: ${d.deploys} deploys${
                  d.refused ? ` (${d.refused} rejected or expired)` : ''
                }, success ${formatPercent(rate)}, p50 ${
                  d.p50 === undefined ? '–' : formatDuration(d.p50)
                }, p95 ${d.p95 === undefined ? '–' : formatDuration(d.p95)}`}
              </title>
              {d.p50 !== undefined && (
                <circle
                  cx={x(i)}
                  cy={y(d.p50)}
                  r={2.5}
                  fill={theme.palette.primary.main}
                />
              )}
              <rect
                x={x(i) - barWidth / 2}
                y={rateTop + RATE_HEIGHT - height}
                width={barWidth}
                height={height}
                fill={rate !== undefined && rate < 0.9 ? bad : ok}
              />
            </g>
          );
        })}
        {days.length > 0 && (
          <>
            <text
              x={PAD_LEFT}
              y={HEIGHT - 4}
              fontSize={10}
              fill={theme.palette.text.secondary}
            >
              {days[0].day}
            </text>
            <text
              x={WIDTH - PAD_RIGHT}
              y={HEIGHT - 4}
              fontSize={10}
              textAnchor="end"
              fill={theme.palette.text.secondary}
            >
              {days[days.length - 1].day}
            </text>
          </>
        )}
        <text
          x={PAD_LEFT - 6}
          y={rateTop + RATE_HEIGHT}
          textAnchor="end"
          fontSize={10}
          fill={theme.palette.text.secondary}
        >
          ok %
        </text>
      </svg>
      <Typography variant="caption" color="textSecondary">
        Solid line: p50 duration per day · dashed: p95 · bars: share of deploys
        that succeeded
      </Typography>
    </Box>
  );
}
