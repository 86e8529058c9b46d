import { screen, waitFor, within } from '@testing-library/react';

/**
 * A button once it is enabled, looked up afresh on each try (the page may
 * re-render it meanwhile). Actions stay disabled until their permission
 * decisions (or a reload) arrive, and a click on a disabled button is lost.
 */
export function enabledButton(
  name: string,
  scope: Pick<typeof screen, 'getByRole'> | ReturnType<typeof within> = screen,
): Promise<HTMLElement> {
  return waitFor(() => {
    const button = scope.getByRole('button', { name });
    expect(button).toBeEnabled();
    return button;
  });
}
