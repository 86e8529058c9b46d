import { ResponseErrorPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import Alert from '@material-ui/lab/Alert';

/**
 * The message a user should read: for a backend error the message of its
 * error body (e.g. "production is locked: freeze"), not the HTTP summary.
 */
export function describeError(error: Error): string {
  if (error instanceof ResponseError || error.name === 'ResponseError') {
    const message = (error as ResponseError).body?.error?.message;
    if (message) {
      return message;
    }
  }
  return error.message;
}

/** A backend error in an alert, e.g. inside a dialog. */
export function ErrorAlert(props: { error?: Error; onClose?: () => void }) {
  const { error, onClose } = props;
  if (!error) {
    return null;
  }
  return (
    <Alert severity="error" onClose={onClose}>
      {describeError(error)}
    </Alert>
  );
}

/** A backend error as a page-level panel titled with its message. */
export function ErrorPanel(props: { error: Error }) {
  return (
    <ResponseErrorPanel
      error={props.error}
      title={describeError(props.error)}
    />
  );
}
