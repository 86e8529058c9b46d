// The jest configuration `backstage-cli package test` builds for this package,
// for StrykerJS (stryker.config.mjs), which runs jest itself.
module.exports = require('@backstage/cli/config/jest');
