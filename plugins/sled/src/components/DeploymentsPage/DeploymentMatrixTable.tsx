import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TablePagination,
  TableRow,
  Tooltip,
  makeStyles,
} from '@material-ui/core';
import LockIcon from '@material-ui/icons/Lock';
import {
  DeploymentCell,
  DeploymentEnvironment,
  DeploymentRow,
} from '@internal/plugin-sled-common';
import { memo, useMemo, useState } from 'react';

const PAGE_SIZES = [50, 100, 250];

const useStyles = makeStyles(theme => ({
  cell: { cursor: 'pointer', whiteSpace: 'nowrap' },
  drift: {
    backgroundColor:
      theme.palette.type === 'dark'
        ? 'rgba(255, 167, 38, 0.25)'
        : 'rgba(255, 167, 38, 0.22)',
  },
  none: { color: theme.palette.text.disabled },
  marker: {
    marginLeft: theme.spacing(0.75),
    fontSize: '0.75rem',
    color: theme.palette.text.secondary,
  },
  lock: { fontSize: '0.9rem', verticalAlign: 'middle', marginLeft: 4 },
}));

/** What one cell says, in words: for its tooltip and for screen readers. */
function describe(
  cell: DeploymentCell,
  env: DeploymentEnvironment,
  from?: DeploymentCell,
): string {
  const parts = [
    cell.current ? `${cell.current.version} runs` : 'nothing deployed',
  ];
  if (cell.drift && env.promotionFrom) {
    parts.push(
      `differs from ${env.promotionFrom} (${
        from?.current?.version ?? 'nothing deployed'
      })`,
    );
  }
  if (cell.deploying) parts.push('a deploy is in progress');
  if (cell.pendingApprovals) {
    parts.push(`${cell.pendingApprovals} awaiting approval`);
  }
  if (cell.lock) parts.push(`locked: ${cell.lock.reason}`);
  return parts.join('; ');
}

const MatrixRow = memo(function MatrixRowOf(props: {
  row: DeploymentRow;
  environments: DeploymentEnvironment[];
  deployTab: (entityRef: string) => string;
  onOpen: (href: string) => void;
}) {
  const classes = useStyles();
  const { row, environments, deployTab, onOpen } = props;
  const href = deployTab(row.entityRef);
  const byEnv = new Map(row.environments.map(c => [c.environment, c]));
  const name = parseEntityRef(row.entityRef).name;
  return (
    <TableRow hover>
      <TableCell>
        <Link to={href}>{row.title ?? name}</Link>
      </TableCell>
      <TableCell>{row.ownerRef?.replace(/^[^:]*:(default\/)?/, '')}</TableCell>
      {environments.map(env => {
        const cell = byEnv.get(env.name);
        if (!cell) {
          return (
            <TableCell key={env.name} className={classes.none}>
              —
            </TableCell>
          );
        }
        const from = env.promotionFrom
          ? byEnv.get(env.promotionFrom)
          : undefined;
        const text = describe(cell, env, from);
        return (
          <TableCell
            key={env.name}
            className={`${classes.cell} ${cell.drift ? classes.drift : ''}`}
            title={text}
            aria-label={`${name} in ${env.name}: ${text}`}
            data-drift={cell.drift ? 'true' : undefined}
            onClick={() => onOpen(href)}
          >
            {cell.current ? (
              cell.current.version
            ) : (
              <span className={classes.none}>—</span>
            )}
            {cell.deploying && (
              <span className={classes.marker}>deploying</span>
            )}
            {cell.pendingApprovals > 0 && (
              <span className={classes.marker}>
                {cell.pendingApprovals} to approve
              </span>
            )}
            {cell.lock && (
              <Tooltip title={`Locked: ${cell.lock.reason}`}>
                <LockIcon className={classes.lock} />
              </Tooltip>
            )}
          </TableCell>
        );
      })}
    </TableRow>
  );
});

/**
 * Services × environments, a page of rows at a time so that a thousand
 * services render as fast as fifty. A cell whose version differs from the
 * environment before it in the promotion path is coloured; a click opens
 * the service's Deploy tab.
 */
export function DeploymentMatrixTable(props: {
  environments: DeploymentEnvironment[];
  services: DeploymentRow[];
  onOpen: (href: string) => void;
}) {
  const { environments, services, onOpen } = props;
  const entityRoute = useRouteRef(entityRouteRef);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[1]);
  const deployTab = useMemo(
    () => (entityRef: string) => {
      const { kind, namespace, name } = parseEntityRef(entityRef);
      return `${entityRoute({
        kind: kind.toLocaleLowerCase('en-US'),
        namespace: namespace.toLocaleLowerCase('en-US'),
        name,
      })}/sled-deploy`;
    },
    [entityRoute],
  );
  const lastPage = Math.max(0, Math.ceil(services.length / pageSize) - 1);
  const current = Math.min(page, lastPage);
  const rows = services.slice(current * pageSize, (current + 1) * pageSize);
  return (
    <>
      <Table size="small" aria-label="Deployments">
        <TableHead>
          <TableRow>
            <TableCell>Service</TableCell>
            <TableCell>Owner</TableCell>
            {environments.map(env => (
              <TableCell key={env.name}>{env.name}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(row => (
            <MatrixRow
              key={row.entityRef}
              row={row}
              environments={environments}
              deployTab={deployTab}
              onOpen={onOpen}
            />
          ))}
        </TableBody>
      </Table>
      <TablePagination
        component="div"
        count={services.length}
        page={current}
        rowsPerPage={pageSize}
        rowsPerPageOptions={PAGE_SIZES}
        onPageChange={(_, p) => setPage(p)}
        onRowsPerPageChange={e => {
          setPageSize(Number(e.target.value));
          setPage(0);
        }}
      />
    </>
  );
}
