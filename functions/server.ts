import { describeError } from '../lib/core/errors.ts';
import { readServerSettings } from '../lib/runtime/environment-settings.ts';
import { PushgatewayReader } from '../lib/edges/pushgateway/pushgateway-reader.ts';
import { runtimeFromEnvironment } from '../lib/runtime/production-ports.ts';
import { ROUTES } from '../lib/http/routes.ts';
import { createStandaloneServer, isLoopback, shutDown, startupWarnings } from '../lib/http/standalone-server.ts';
import { keepTickShape } from '../lib/edges/tick-shape.ts';

// `npm run serve`: the route table on a plain node:http server, for running beside Prometheus
// (a container or a VM) without Lambda. Like the Lambda handler, only wiring.

// First, before the reads that make full collections likely: Node's tick entries keep one hidden class (lib/edges/tick-shape.ts).
keepTickShape();
const listen = readServerSettings(process.env);
if ('problem' in listen) {
  process.stderr.write(`${listen.problem}\n`);
  process.exit(2);
}
const { port, host } = listen.server;
const runtime = runtimeFromEnvironment(process.env, { cwd: process.cwd() });
if (runtime.startupProblem !== undefined) {
  // A server can refuse to start, unlike a Lambda: one line, and no port ever open.
  process.stderr.write(`${runtime.startupProblem}\n`);
  process.exit(2);
}
if (!runtime.auth.enabled && !isLoopback(host)) {
  runtime.logger.warn('no bearer auth', { address: host, hint: 'anyone who reaches this port reads every service; set AUTH_TOKEN or AUTH_TOKEN_SSM_PARAMETER' });
}
const server = createStandaloneServer(runtime);

server.on('error', (error: NodeJS.ErrnoException) => {
  const reason = error.code === 'EADDRINUSE' ? `port ${port} is already in use (set PORT)` : describeError(error);
  process.stderr.write(`cannot listen on ${host}:${port}: ${reason}\n`);
  process.exit(1);
});
server.listen(port, host, () => {
  runtime.logger.info('listening', { address: `http://${host}:${port}`, routes: ROUTES.map((route) => route.path).join(', ') });
  // Read the config and the Pushgateway once now, so a problem shows at start, not at the first scrape.
  // A reader of its own, closed after the check, so probes' keep-alive connections are not touched.
  const startupReader = new PushgatewayReader();
  void startupWarnings(runtime, startupReader).finally(() => startupReader.close()).then(
    (lines) => { for (const line of lines) process.stderr.write(`${line}\n`); },
    (error: unknown) => process.stderr.write(`startup check failed: ${describeError(error)}\n`),
  );
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    runtime.logger.info('shutting down', { signal });
    void shutDown(server, runtime).finally(() => process.exit(0));
  });
}
