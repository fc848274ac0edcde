// Two projects: unit tests need nothing; integration tests share one real control plane per run
// (started by the global setup) and each test file works in a namespace of its own.
const tsJest = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: tsJest,
  testEnvironment: 'node',
};

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/hack/**/*.test.ts', '<rootDir>/buildpacks/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout.ts'],
    },
    {
      ...common,
      // make e2e: one control plane with a real node (root, containerd) and dynokube installed by
      // its chart, shared by every file in a namespace of its own; not in make test.
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup-e2e.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown-e2e.mjs',
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-e2e.ts'],
    },
    {
      ...common,
      // make e2e, after the e2e project: make run itself, which needs the real node to itself.
      displayName: 'run',
      testMatch: ['<rootDir>/test/run/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout.ts'],
    },
  ],
};
