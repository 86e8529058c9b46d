import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// On a busy two-core CI machine running every package's suite at once, a
// render can take longer than testing-library's 1 s for findBy/waitFor.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);
