import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// On a busy two-core CI machine running every package's suite at once, a
// render can take longer than testing-library's 1 s for findBy/waitFor. The
// first render of the catalog also transforms the modules it imports lazily:
// 4.4 s alone on an idle machine, more than 10 s in one CI run (stop 21).
// A person waits for the page; a real failure still fails, only later.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(60_000);
