// The rooms of lib/ and which way imports may point (docs/architecture.md).
// `npm run lint:boundaries` and test/unit/architecture-boundaries.test.ts both use this file;
// each rule's `comment` is the one line a developer sees when an import breaks it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // A cycle means two modules cannot be understood, tested or moved one without the other.
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycle: move what both modules need into a third module that imports neither.',
      from: { path: '^(lib|functions)/' },
      to: { circular: true },
    },
    // The core is pure so that every rule of a probe is testable from arguments alone:
    // no node: built-ins, no network clients, no outer room; yaml and croner compute without I/O.
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'lib/core may import only lib/core, yaml and croner: pass the I/O or clock in as an argument, or move the code to lib/edges.',
      from: { path: '^lib/core/' },
      to: { pathNot: ['^lib/core/', '(^|/)node_modules/(yaml|croner)/'] },
    },
    // Edges do one kind of I/O each and know nothing of who wires them.
    {
      name: 'edges-not-outward',
      severity: 'error',
      comment:
        'lib/edges may import only lib/core and lib/edges: take what runtime/http/cli provide as an argument instead.',
      from: { path: '^lib/edges/' },
      to: { path: '^(lib/(runtime|http|cli)|functions)/' },
    },
    // The runtime wires a probe; the http and cli front doors are built on it, not the other way.
    {
      name: 'runtime-not-outward',
      severity: 'error',
      comment:
        'lib/runtime may import only lib/core, lib/edges and lib/runtime: move the shared piece down into one of them.',
      from: { path: '^lib/runtime/' },
      to: { path: '^(lib/(http|cli)|functions)/' },
    },
    // The two front doors stay independent, so either can change without the other.
    {
      name: 'http-not-cli',
      severity: 'error',
      comment: 'lib/http must not import lib/cli: move what both need into lib/runtime, lib/edges or lib/core.',
      from: { path: '^lib/http/' },
      to: { path: '^lib/cli/' },
    },
    {
      name: 'cli-not-http',
      severity: 'error',
      comment: 'lib/cli must not import lib/http: move what both need into lib/runtime, lib/edges or lib/core.',
      from: { path: '^lib/cli/' },
      to: { path: '^lib/http/' },
    },
    // functions/ are the entry points that read process.env/argv; the library never depends on them.
    {
      name: 'lib-not-functions',
      severity: 'error',
      comment: 'lib/ must not import functions/: pass the value from the entry point into lib/ as an argument.',
      from: { path: '^lib/' },
      to: { path: '^functions/' },
    },
    // One room per outside system: the AWS SDK lives behind lib/edges/ssm only.
    {
      name: 'aws-sdk-only-in-ssm',
      severity: 'error',
      comment: '@aws-sdk/* may be imported only in lib/edges/ssm/: call the SSM reader from there instead.',
      from: { path: '^(lib|functions)/', pathNot: '^lib/edges/ssm/' },
      to: { path: '(^|/)node_modules/@aws-sdk/' },
    },
    // ...and the HTTP client behind lib/edges/pushgateway only.
    {
      name: 'undici-only-in-pushgateway',
      severity: 'error',
      comment:
        'undici may be imported only in lib/edges/pushgateway/: read or push through the Pushgateway reader/pusher instead.',
      from: { path: '^(lib|functions)/', pathNot: '^lib/edges/pushgateway/' },
      to: { path: '(^|/)node_modules/undici/' },
    },
    // On Node 24 an ES import of node:http builds its module facade, whose WebSocket, CloseEvent and
    // MessageEvent getters load undici: about 40 ms of a cold start; node:util's getters cost 6 ms
    // at every CLI start. Types may still come from them.
    {
      name: 'http-util-through-getbuiltinmodule',
      severity: 'error',
      comment:
        "node:http and node:util only through process.getBuiltinModule (types through import type): on Node 24 an ES import reads their lazy getters, which for node:http load undici (docs/performance.md#nodehttp-without-its-es-module-facade).",
      from: { path: '^(lib|functions)/' },
      to: { dependencyTypes: ['core'], path: '^(http|util)$', dependencyTypesNot: ['type-only', 'type-import'] },
    },
  ],
  options: {
    // Type-only imports count too: a core module naming an edge's type still depends on that edge.
    tsPreCompilationDeps: true,
    // The repo imports with .ts extensions (allowImportingTsExtensions); resolve them through tsconfig.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    doNotFollow: { path: '^node_modules' },
  },
};
