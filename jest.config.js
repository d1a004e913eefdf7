/**
 * Jest transpiles only (ts-jest with isolatedModules): type-checking every provider SDK per test
 * file would take minutes. `npm test` runs `tsc --noEmit` once instead.
 * @type {import('jest').Config}
 */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
    // Planning a stack loads all four cloud SDKs: give each test room on a 2-core machine.
    testTimeout: 60000,
    // Both cores (jest's default keeps one free): the suites plan stacks, CPU-bound each.
    maxWorkers: "100%",
    // The committed stacks are planned once per run (tests/harness.ts planStack).
    globalSetup: "<rootDir>/tests/global-setup.ts",
    globalTeardown: "<rootDir>/tests/global-teardown.ts",
};
