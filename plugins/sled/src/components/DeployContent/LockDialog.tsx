import { useEffect, useId, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Lock } from '@internal/plugin-sled-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { sledApiRef } from '../../api/SledApi';
import { ErrorAlert } from '../common/ErrorAlert';

const EXPIRY_CHOICES: Array<{ label: string; hours?: number }> = [
  { label: 'Until unlocked' },
  { label: '1 hour', hours: 1 },
  { label: '4 hours', hours: 4 },
  { label: '1 day', hours: 24 },
  { label: '1 week', hours: 24 * 7 },
];

/**
 * Locks one service, or every member of a deploy group, in one environment,
 * with a reason and an optional expiry.
 */
export function LockDialog(props: {
  open: boolean;
  onClose: () => void;
  /** what to lock: a service or a deploy group */
  target: { entityRef: string } | { deployGroup: string };
  environment: string;
  onLocked: (lock: Lock) => void;
}) {
  const { open, onClose, target, environment, onLocked } = props;
  const sledApi = useApi(sledApiRef);
  const [reason, setReason] = useState('');
  const [expiry, setExpiry] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const id = useId();

  useEffect(() => {
    if (open) {
      setReason('');
      setExpiry(0);
      setError(undefined);
    }
  }, [open]);

  const submit = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      const hours = EXPIRY_CHOICES[expiry].hours;
      const lock = await sledApi.createLock({
        environment,
        ...target,
        reason: reason.trim(),
        expiresAt: hours
          ? new Date(Date.now() + hours * 3600 * 1000).toISOString()
          : undefined,
      });
      onLocked(lock);
      onClose();
    } catch (e) {
      setError(e as Error);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Lock {environment}</DialogTitle>
      <DialogContent>
        <ErrorAlert error={error} />
        <DialogContentText>
          While locked, deploys of{' '}
          {'deployGroup' in target
            ? 'every service in this deploy group'
            : 'this service'}{' '}
          to {environment} are refused unless the deployer may override locks.
        </DialogContentText>
        <TextField
          fullWidth
          required
          id={`${id}-reason`}
          margin="normal"
          label="Reason"
          value={reason}
          onChange={e => setReason(e.target.value)}
        />
        <TextField
          select
          fullWidth
          id={`${id}-expires`}
          margin="normal"
          label="Expires"
          value={expiry}
          onChange={e => setExpiry(Number(e.target.value))}
        >
          {EXPIRY_CHOICES.map((choice, index) => (
            <MenuItem key={choice.label} value={index}>
              {choice.label}
            </MenuItem>
          ))}
        </TextField>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={submitting}>
          Close
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={submitting || !reason.trim()}
        >
          Lock
        </Button>
      </DialogActions>
    </Dialog>
  );
}
