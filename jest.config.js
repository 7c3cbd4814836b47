/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  // End-to-end suites start real servers; give them room without hiding hangs.
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/globalSetup.js',
  // Fails a test on any unhandled rejection a bot process reports (see the file).
  setupFilesAfterEnv: ['<rootDir>/test/setup/unhandled.ts'],
  // Two cores: more workers only add contention between suites that each start servers.
  maxWorkers: 2,
};
