module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // test helpers named expect… assert too (expectRefused, expectError)
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'expect*'] },
    ],
  },
});
