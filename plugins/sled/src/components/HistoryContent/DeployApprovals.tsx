import { useApi } from '@backstage/core-plugin-api';
import { Deploy } from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { sledApiRef } from '../../api/SledApi';
import { ApprovalDecisions } from '../common/ApprovalDecisions';
import { ErrorAlert } from '../common/ErrorAlert';

/**
 * Who approved or rejected a deploy, for a deploy to an environment that
 * asked for approvals; nothing for any other deploy.
 */
export function DeployApprovals(props: { deploy: Deploy }) {
  const { id, status } = props.deploy;
  const sledApi = useApi(sledApiRef);
  // fetched again when the status changes: a decision or expiry changes it
  const approvals = useAsync(
    () => sledApi.listDeployApprovals(id),
    [sledApi, id, status],
  );
  const list = approvals.value;
  if (approvals.error) {
    return <ErrorAlert error={approvals.error} />;
  }
  if (!list || (list.required === 0 && list.items.length === 0)) {
    return null;
  }
  return (
    <Box mt={2} aria-label="Approvals" role="group">
      <Typography variant="subtitle2" gutterBottom>
        Approvals
      </Typography>
      <ApprovalDecisions approvals={list} />
    </Box>
  );
}
