// on a busy two-core CI machine running every suite at once, 5 s is not enough
jest.setTimeout(60_000);
