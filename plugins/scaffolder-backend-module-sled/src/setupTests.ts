// Integration tests start whole backends; on a busy two-core CI machine running
// every package's suite at once that can pass jest's 5 s default.
jest.setTimeout(60_000);
