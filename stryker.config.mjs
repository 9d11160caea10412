// Mutation testing of the pure core against its unit tests (docs/testing.md). Not part of npm test
// or CI: a full run takes well over ten minutes on a 2-core machine.
// `npm run mutation` runs every module; `npm run mutation -- --mutate 'lib/core/rules/**/*.ts'` one.
import { existsSync } from "node:fs";

// The unit tests of the mutated modules. Left out: tests of other rooms (edges, runtime, http, cli),
// tests of the code's shape (architecture-boundaries reads the sources Stryker instruments), and the
// 1,000-case hostile-input properties, which reach every module and would run for each mutant.
const CORE_TESTS = [
  "config", "config-field-rules", "config-ranges", "config-ranges-properties", "config-stages", "config-read-breakers", "config-properties", "bundled-config",
  "several-pushgateways-config", "pushgateway-credentials", "expire-never", "discovery",
  "config-url-token-survivors", "config-validate-survivors", "config-discovery-survivors", "config-service-survivors",
  "config-pushgateway-urls-survivors", "config-nearest-name-survivors",
  "nearest-name", "resolve-service", "evaluate-probe", "evaluate-probe-replicas", "evaluate-probe-signals", "probe-reasons", "signal-boundaries", "time-boundaries", "rule-edges",
  "exact-time-rules", "run-signals", "schedule", "mentions-schedule", "parse-rfc3339", "exposition-parser", "exposition-renderer", "exposition-render-keys",
  "exposition-properties", "prototype-names", "probe-metrics", "probe-reports-golden", "unreachable-state",
  "snapshot-invalid-lines", "snapshot-reference", "snapshot-duplicates", "snapshot-group-keys", "grouping-key", "probe-service", "probe-answer-cache", "probe-budget", "probe-budget-boundaries",
  "heartbeat-lookup-survivors", "probe-reason-survivors", "evaluate-probe-survivors", "snapshot-lookup-bounds",
  "snapshot-streamed", "exposition-scanner-survivors", "exposition-lines-survivors", "exposition-decoding-survivors", "exposition-repeated-names",
];
// MUTATION_TESTS (comma-separated names from the list above) narrows the run to the tests of one
// module: on a loaded machine each test file a mutant reaches costs seconds of node and tsx start-up.
const chosen = process.env.MUTATION_TESTS?.split(",").map((name) => name.trim()).filter((name) => name !== "") ?? CORE_TESTS;
const unitTests = chosen.map((name) => `test/unit/${name}.test.ts`).filter((file) => existsSync(file));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "tap",
  tap: {
    testFiles: unitTests,
    nodeArgs: ["--import", "tsx"],
  },
  coverageAnalysis: "perTest",
  mutate: [
    "lib/core/probe/**/*.ts",
    "lib/core/rules/**/*.ts",
    "lib/core/config/**/*.ts",
    "lib/core/exposition/**/*.ts",
  ],
  ignorePatterns: ["dist", ".stryker-tmp-*", ".scratch", ".build-staging", ".serverless", ".local-stack", ".bench", "reports"],
  reporters: ["clear-text", "progress-append-only", "json"],
  jsonReporter: { fileName: process.env.MUTATION_JSON ?? "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 10000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
