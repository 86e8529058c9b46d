import '@testing-library/jest-dom';

// These tests type and click through whole dialogs; on a busy two-core CI
// machine running every package's suite at once that can pass 5 s.
jest.setTimeout(30_000);
