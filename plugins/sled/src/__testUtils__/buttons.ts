import { screen, waitFor, within } from '@testing-library/react';

/** Where to look for an element: the screen, or a part of it (`within`). */
export type Scope =
  | Pick<typeof screen, 'getByRole'>
  | ReturnType<typeof within>;

/**
 * A button once it is enabled, looked up afresh on each try (the page may
 * re-render it meanwhile). Actions stay disabled until their permission
 * decisions (or a reload) arrive, and a click on a disabled button is lost.
 *
 * `scope` is called on every try too, so that no node found before is kept
 * while waiting.
 */
export function enabledButton(
  name: string,
  scope: () => Scope = () => screen,
): Promise<HTMLElement> {
  return waitFor(() => {
    const button = scope().getByRole('button', { name });
    expect(button).toBeEnabled();
    return button;
  });
}
