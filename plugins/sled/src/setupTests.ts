import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// These tests type and click through whole dialogs and tables. On a busy
// two-core CI machine running every package's suite at once, one render of a
// table can take longer than testing-library's 1 s for findBy/waitFor, and a
// whole test longer than jest's 5 s. A real failure still fails, only later.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(60_000);
