import Alert from '@material-ui/lab/Alert';
import { ResponseError } from '@backstage/errors';

/** Shows a backend error with its message, as the user should read it. */
export function ErrorAlert(props: { error?: Error; onClose?: () => void }) {
  const { error, onClose } = props;
  if (!error) {
    return null;
  }
  const message =
    error instanceof ResponseError
      ? error.body?.error?.message ?? error.message
      : error.message;
  return (
    <Alert severity="error" onClose={onClose}>
      {message}
    </Alert>
  );
}
