import { useMemo } from 'react';
import {
  InfoCard,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  EntityRefLink,
  EntityRefLinks,
  useEntity,
} from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { currentVersion } from '../common/currentVersion';
import { ErrorPanel } from '../common/ErrorAlert';
import { deployGroupMembers } from '../ReleaseContent/useDeployGroup';
import {
  DeployGroupMember,
  useDeployGroupMembers,
} from './useDeployGroupMembers';

function Owner(props: { member: DeployGroupMember }) {
  const { inCatalog, owners } = props.member;
  if (!inCatalog) {
    return (
      <Typography variant="body2" color="textSecondary">
        not in the catalog
      </Typography>
    );
  }
  if (!owners.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        no owner
      </Typography>
    );
  }
  return <EntityRefLinks entityRefs={owners} defaultKind="group" />;
}

/**
 * An overview card of a DeployGroup: each member service with its owner and
 * the version it runs in each environment.
 *
 * @public
 */
export function EntitySledDeployGroupMembersCard() {
  const { entity } = useEntity();
  const members = useMemo(() => deployGroupMembers(entity), [entity]);
  const { value, loading, error } = useDeployGroupMembers(members);

  let content;
  if (loading && !value) {
    content = <Progress />;
  } else if (error) {
    content = <ErrorPanel error={error} />;
  } else if (value) {
    // `id`: the table keeps a row's nodes from one render to the next
    const rows = value.members.map(m => ({ ...m, id: m.entityRef }));
    const columns: TableColumn<DeployGroupMember>[] = [
      {
        title: 'Service',
        render: m => <EntityRefLink entityRef={m.entityRef} />,
      },
      { title: 'Owner', render: m => <Owner member={m} /> },
      ...value.environments.map(
        (env): TableColumn<DeployGroupMember> => ({
          title: env.name,
          render: m => currentVersion(m.state, env.name) ?? '—',
        }),
      ),
    ];
    content = (
      <Table<DeployGroupMember>
        options={{
          paging: false,
          search: false,
          toolbar: false,
          padding: 'dense',
        }}
        columns={columns}
        data={rows}
        emptyContent={<Box p={2}>This deploy group has no members.</Box>}
      />
    );
  }
  return <InfoCard title="Members">{content}</InfoCard>;
}
