import { StatusError, StatusOK } from '@backstage/core-components';
import { ApprovalList } from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { formatRelativeTime, formatRequester, formatTimestamp } from './format';

/** How many distinct people approved so far. */
export function approvedCount(approvals: ApprovalList): number {
  return new Set(
    approvals.items
      .filter(item => item.decision === 'approve')
      .map(item => item.approver),
  ).size;
}

/**
 * Who approved or rejected a deploy, when and with what comment, under a
 * line such as "1 of 2 approvals".
 */
export function ApprovalDecisions(props: { approvals: ApprovalList }) {
  const { approvals } = props;
  return (
    <Box>
      <Typography variant="body2">
        {approvedCount(approvals)} of {approvals.required} approvals
      </Typography>
      {approvals.items.map(item => {
        const Status = item.decision === 'approve' ? StatusOK : StatusError;
        return (
          <Typography
            key={`${item.approver}-${item.createdAt}`}
            variant="body2"
            component="div"
            style={{ display: 'flex', alignItems: 'center' }}
          >
            <Status />
            <span>
              {item.decision === 'approve' ? 'Approved' : 'Rejected'} by{' '}
              <strong>{formatRequester(item.approver)}</strong>{' '}
              <span title={formatTimestamp(item.createdAt)}>
                {formatRelativeTime(item.createdAt)}
              </span>
              {item.comment ? `: “${item.comment}”` : ''}
            </span>
          </Typography>
        );
      })}
    </Box>
  );
}
