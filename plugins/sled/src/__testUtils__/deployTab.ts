import { screen, within } from '@testing-library/react';

/**
 * Waits for the card of one environment on the Deploy tab, found by its
 * title, and returns a lookup of it: the card is looked up afresh on every
 * call, never kept across an await (the tab re-renders as it polls the
 * service's state and as the permission decisions arrive).
 */
export async function environmentCard(name: string) {
  await screen.findByText(name, { selector: 'span' });
  return () =>
    within(
      screen
        .getByText(name, { selector: 'span' })
        .closest('.MuiCard-root') as HTMLElement,
    );
}

/** The open dialog, looked up afresh on every call. */
export const dialog = () => within(screen.getByRole('dialog'));
