import { ReactNode } from 'react';
import Button, { ButtonProps } from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';

/**
 * A button that, when disabled, says why in a tooltip. The tooltip hangs on
 * a wrapper because disabled buttons receive no pointer events.
 */
export function ActionButton(
  props: Omit<ButtonProps, 'children'> & {
    children: ReactNode;
    /** When set the button is disabled and this text explains why. */
    disabledReason?: string;
  },
) {
  const { disabledReason, disabled, children, ...buttonProps } = props;
  const button = (
    <Button
      size="small"
      {...buttonProps}
      disabled={disabled || Boolean(disabledReason)}
    >
      {children}
    </Button>
  );
  if (!disabledReason) {
    return button;
  }
  return (
    <Tooltip title={disabledReason}>
      <span data-testid="disabled-action">{button}</span>
    </Tooltip>
  );
}
