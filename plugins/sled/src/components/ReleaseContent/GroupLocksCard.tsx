import { useState } from 'react';
import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Environment, Lock } from '@internal/plugin-sled-common';
import Typography from '@material-ui/core/Typography';
import { sledApiRef } from '../../api/SledApi';
import { ActionButton } from '../common/ActionButton';
import { formatRequester, formatTimestamp } from '../common/format';
import { LockDialog } from '../DeployContent/LockDialog';

// `id`: the table keeps a row's nodes from one render to the next
type Row = {
  id: string;
  environment: string;
  groupLock?: Lock;
  environmentLock?: Lock;
};

const describe = (lock: Lock) =>
  `Locked by ${formatRequester(lock.createdBy)}: ${lock.reason}${
    lock.expiresAt ? ` (until ${formatTimestamp(lock.expiresAt)})` : ''
  }`;

/**
 * Locks on the whole deploy group, per environment: while the group is
 * locked in an environment every member's deploys there are refused, single
 * deploys and releases alike, unless the deployer may override locks.
 */
export function GroupLocksCard(props: {
  deployGroup: string;
  environments: Environment[];
  /** the locks that apply to the group: its own and environment-wide ones */
  locks: Lock[];
  /** why the user may not lock or unlock the group, if they may not */
  deniedReason?: string;
  onChanged: () => void;
  onError: (error: Error) => void;
}) {
  const { deployGroup, environments, locks, deniedReason, onChanged, onError } =
    props;
  const sledApi = useApi(sledApiRef);
  const [locking, setLocking] = useState<string>();
  const [busy, setBusy] = useState(false);

  const unlock = async (lock: Lock) => {
    setBusy(true);
    try {
      await sledApi.deleteLock(lock.id);
    } catch (e) {
      onError(e as Error);
    } finally {
      setBusy(false);
      onChanged();
    }
  };

  const rows: Row[] = environments.map(env => ({
    id: env.name,
    environment: env.name,
    groupLock: locks.find(
      l => l.environment === env.name && l.deployGroup === deployGroup,
    ),
    environmentLock: locks.find(
      l => l.environment === env.name && !l.entityRef && !l.deployGroup,
    ),
  }));
  const columns: TableColumn<Row>[] = [
    { title: 'Environment', field: 'environment' },
    {
      title: 'Group lock',
      render: row => (
        <Typography
          variant="body2"
          data-testid={`sled-group-lock-${row.environment}`}
        >
          {row.groupLock ? describe(row.groupLock) : 'Not locked'}
          {row.environmentLock
            ? ` · the whole environment is locked: ${row.environmentLock.reason}`
            : ''}
        </Typography>
      ),
    },
    {
      title: '',
      align: 'right',
      render: row =>
        row.groupLock ? (
          <ActionButton
            variant="outlined"
            disabled={busy}
            disabledReason={deniedReason}
            onClick={() => unlock(row.groupLock!)}
          >
            Unlock {row.environment}
          </ActionButton>
        ) : (
          <ActionButton
            variant="outlined"
            disabledReason={deniedReason}
            onClick={() => setLocking(row.environment)}
          >
            Lock {row.environment}
          </ActionButton>
        ),
    },
  ];

  return (
    <InfoCard title="Group locks">
      <Table<Row>
        options={{
          paging: false,
          search: false,
          toolbar: false,
          padding: 'dense',
        }}
        columns={columns}
        data={rows}
      />
      <LockDialog
        open={!!locking}
        onClose={() => setLocking(undefined)}
        target={{ deployGroup }}
        environment={locking ?? ''}
        onLocked={() => onChanged()}
      />
    </InfoCard>
  );
}
