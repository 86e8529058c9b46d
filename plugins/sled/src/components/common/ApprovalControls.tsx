import { useId, useState } from 'react';
import { ApprovalList } from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';

export type ApprovalDecision = 'approve' | 'reject';

/**
 * Approve and Reject with an optional comment, for those the backend says
 * may decide (`canDecide`); for the others, why they may not.
 */
export function ApprovalControls(props: {
  approvals: ApprovalList;
  /** a decision is on its way */
  busy: boolean;
  /** what is decided on, in the buttons and the fallback refusal: "release" */
  subject?: string;
  /** resolves once decided (to the Error when it failed: the comment stays then) */
  onDecide: (decision: ApprovalDecision, comment?: string) => Promise<unknown>;
}) {
  const { approvals, busy, subject, onDecide } = props;
  const id = useId();
  const [comment, setComment] = useState('');
  if (!approvals.canDecide) {
    return (
      <Typography variant="body2" color="textSecondary">
        {approvals.refusal ??
          `You may not approve or reject this ${subject ?? 'deploy'}.`}
      </Typography>
    );
  }
  const decide = async (decision: ApprovalDecision) => {
    const result = await onDecide(decision, comment.trim() || undefined);
    if (!(result instanceof Error)) setComment('');
  };
  return (
    <Box display="flex" alignItems="center" mt={1} style={{ gap: 8 }}>
      <TextField
        id={`${id}-comment`}
        size="small"
        label="Comment (optional)"
        value={comment}
        onChange={e => setComment(e.target.value)}
        style={{ flexGrow: 1 }}
      />
      <Button
        variant="contained"
        color="primary"
        size="small"
        disabled={busy}
        onClick={() => decide('approve')}
      >
        {subject ? `Approve ${subject}` : 'Approve'}
      </Button>
      <Button
        variant="outlined"
        color="secondary"
        size="small"
        disabled={busy}
        onClick={() => decide('reject')}
      >
        {subject ? `Reject ${subject}` : 'Reject'}
      </Button>
    </Box>
  );
}
