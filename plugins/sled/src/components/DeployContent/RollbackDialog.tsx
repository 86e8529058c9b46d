import { useEffect, useId, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Deploy, EnvironmentState } from '@internal/plugin-sled-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { sledApiRef } from '../../api/SledApi';
import { ArtifactChangeList } from '../common/ArtifactChangeList';
import { ErrorAlert } from '../common/ErrorAlert';
import { useArtifactChanges } from '../common/useArtifactChanges';

/** Confirms a rollback to the artifact that succeeded before the current one. */
export function RollbackDialog(props: {
  open: boolean;
  onClose: () => void;
  entityRef: string;
  environment: EnvironmentState;
  onRolledBack: (deploy: Deploy) => void;
}) {
  const { open, onClose, entityRef, environment, onRolledBack } = props;
  const sledApi = useApi(sledApiRef);
  const [reason, setReason] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const id = useId();

  useEffect(() => {
    if (open) {
      setReason('');
      setError(undefined);
    }
  }, [open]);

  const changes = useArtifactChanges(
    open && environment.rollbackTarget
      ? {
          artifactId: environment.rollbackTarget.id,
          environment: environment.environment,
        }
      : undefined,
  );
  const reasonMissing = environment.requireReason && !reason.trim();

  const submit = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      const deploy = await sledApi.createRollback({
        entityRef,
        environment: environment.environment,
        reason: reason.trim() || undefined,
      });
      onRolledBack(deploy);
      onClose();
    } catch (e) {
      setError(e as Error);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Roll back {environment.environment}?</DialogTitle>
      <DialogContent>
        <ErrorAlert error={error} />
        <DialogContentText>
          {environment.current && environment.rollbackTarget
            ? `This replaces version ${environment.current.artifact.version} with ${environment.rollbackTarget.version}, the version that succeeded in ${environment.environment} before it.`
            : `This deploys the version that succeeded in ${environment.environment} before the current one.`}
        </DialogContentText>
        <ArtifactChangeList {...changes} />
        <TextField
          fullWidth
          id={`${id}-reason`}
          margin="normal"
          label="Reason"
          value={reason}
          required={environment.requireReason}
          onChange={e => setReason(e.target.value)}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={submitting}>
          Close
        </Button>
        <Button
          color="secondary"
          variant="contained"
          onClick={submit}
          disabled={submitting || reasonMissing}
        >
          Roll back
        </Button>
      </DialogActions>
    </Dialog>
  );
}
