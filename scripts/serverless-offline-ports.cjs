// serverless-offline 13, finding one of its ports taken, exits with a multi-line error dump that
// names a port number but not the setting that chose it. This checks both ports first and names
// the variable to change: PORT (its HTTP port) or OFFLINE_LAMBDA_PORT (its internal Lambda invoke
// port, which a second `npm start` or `npm run local` already holds). Two ways in, as
// scripts/serverless-public-url-guard.cjs:
//   - a serverless plugin, before serverless-offline starts its servers (`serverless offline start`);
//   - `node scripts/serverless-offline-ports.cjs`, which `npm start` runs before building, so the
//     user sees one line at once.
'use strict';

const { createServer } = require('node:net');

/** The ports serverless.yml gives serverless-offline, with its defaults (`${env:PORT, 9116}`…). */
const OFFLINE_PORTS = [
  { variable: 'PORT', option: 'httpPort', fallback: 9116, what: 'its HTTP port' },
  { variable: 'OFFLINE_LAMBDA_PORT', option: 'lambdaPort', fallback: 3002, what: 'its internal Lambda port' },
];
const DEFAULT_HOST = '127.0.0.1';
/** How far above a taken port to look for a free one to suggest. */
const SUGGEST_WITHIN = 20;

/** Resolves with the listen error's code, or undefined when `host:port` is free. */
function listenError(host, port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => resolve(error.code ?? String(error)));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

async function freePortAbove(host, port, taken) {
  for (let candidate = port + 1; candidate <= Math.min(port + SUGGEST_WITHIN, 65_535); candidate += 1) {
    if (!taken.includes(candidate) && (await listenError(host, candidate)) === undefined) return candidate;
  }
  return undefined;
}

/**
 * Why serverless-offline cannot listen where it is told to, in one line naming the variable, or
 * undefined. `ports` holds each of OFFLINE_PORTS' variables with the value in force.
 */
async function offlinePortProblem(host, ports) {
  const numbers = ports.map(({ value }) => Number(value));
  for (const [index, { variable, value, what }] of ports.entries()) {
    if (!/^\d{1,5}$/.test(String(value)) || numbers[index] > 65_535) {
      return `cannot start serverless-offline: ${variable} must be a port number (0-65535), got ${JSON.stringify(String(value).slice(0, 40))}`;
    }
    if (numbers[index] === 0) continue;
    const clash = ports.findIndex((other, otherIndex) => otherIndex < index && numbers[otherIndex] === numbers[index]);
    if (clash !== -1) {
      return `cannot start serverless-offline: ${variable} and ${ports[clash].variable} are both ${numbers[index]}; give ${variable} another port`;
    }
    const code = await listenError(host, numbers[index]);
    if (code === undefined) continue;
    const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges' : `cannot be opened (${code})`;
    const free = code === 'EADDRINUSE' ? await freePortAbove(host, numbers[index], numbers) : undefined;
    const example = free === undefined ? '' : `, e.g. ${variable}=${free} npm start`;
    return `cannot start serverless-offline: port ${numbers[index]} on ${host} (${variable}, ${what}) ${why}; set ${variable} to a free port${example}`;
  }
  return undefined;
}

/** The values in force when run from `npm start`: the environment, with serverless.yml's defaults. */
function portsFromEnv(env) {
  return OFFLINE_PORTS.map(({ variable, fallback, what }) => ({ variable, what, value: env[variable] || fallback }));
}

class OfflinePorts {
  constructor(serverless, options) {
    const check = async () => {
      // Command-line options win over serverless.yml's custom block, as in serverless-offline.
      const custom = serverless.service.custom?.['serverless-offline'] ?? {};
      const host = options?.host ?? custom.host ?? DEFAULT_HOST;
      const ports = OFFLINE_PORTS.map(({ variable, option, fallback, what }) => ({ variable, what, value: options?.[option] ?? custom[option] ?? fallback }));
      const problem = await offlinePortProblem(host, ports);
      if (problem !== undefined) throw new serverless.classes.Error(problem);
    };
    this.hooks = { 'before:offline:start:init': check, 'before:offline:start': check };
  }
}

module.exports = OfflinePorts;
module.exports.offlinePortProblem = offlinePortProblem;
module.exports.portsFromEnv = portsFromEnv;
module.exports.OFFLINE_PORTS = OFFLINE_PORTS;
module.exports.DEFAULT_HOST = DEFAULT_HOST;

if (require.main === module) {
  void offlinePortProblem(process.env.HOST || DEFAULT_HOST, portsFromEnv(process.env)).then((problem) => {
    if (problem !== undefined) {
      process.stderr.write(`${problem}\n`);
      process.exitCode = 1;
    }
  });
}
