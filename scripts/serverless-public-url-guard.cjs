// Refuses to package or deploy a function URL anyone on the internet may call without a token
// (docs/security-model.md). Two ways in, one rule:
//   - a serverless plugin (serverless.yml `plugins:`): `serverless package` and `serverless deploy`,
//     every stage, stop before anything is built; serverless-offline never packages, so `npm start`
//     and `npm run local` stay open on loopback;
//   - `node scripts/serverless-public-url-guard.cjs`: `npm run package` runs it first, so the user
//     sees exactly one line on stderr, not the framework's error banner (it checks the settings of
//     scripts/serverless-deployment-settings.cjs too).
// The token rules are the exporter's own (lib/), loaded through tsx, so the two cannot drift apart.
'use strict';

/** lib's token rules, loaded only when a check runs: every serverless command loads this plugin. */
function tokenRules() {
  const { require: requireTs } = require('tsx/cjs/api');
  const { parseAuthTokens } = requireTs('../lib/core/config/bearer-tokens.ts', __filename);
  const { readSettings } = requireTs('../lib/runtime/environment-settings.ts', __filename);
  return { parseAuthTokens, readSettings };
}

const TOKEN_SOURCES = 'set AUTH_TOKEN (comma-separated tokens) or AUTH_TOKEN_SSM_PARAMETER (an SSM parameter holding them)';

/** Why this environment must not be packaged, in one line naming the variables (never a value), or undefined. */
function publicUrlProblem(env) {
  const { parseAuthTokens, readSettings } = tokenRules();
  const allow = env.ALLOW_PUBLIC_FUNCTION_URL ?? '';
  if (allow !== '' && allow !== 'true' && allow !== 'false') {
    return `refusing to package: ALLOW_PUBLIC_FUNCTION_URL must be true or false, got ${JSON.stringify(allow.slice(0, 40))}`;
  }
  // Exactly '' is unset, as in serverless.yml's `${env:AUTH_TOKEN, ''}` and in the function.
  const parsed = (env.AUTH_TOKEN ?? '') === '' ? undefined : parseAuthTokens(env.AUTH_TOKEN, 'AUTH_TOKEN');
  if (parsed !== undefined && 'problem' in parsed && parsed.kind === 'empty') {
    return `refusing to package: ${parsed.problem}, so the function would answer 503 to every request; ${TOKEN_SOURCES}, or leave AUTH_TOKEN empty and set ALLOW_PUBLIC_FUNCTION_URL=true to publish the URL without auth on purpose`;
  }
  // The function's own reading of its environment (the config file path does not matter here).
  const read = readSettings(env, '/');
  if (read.kind === 'problem') return `refusing to package: the function would answer 503 to every request: ${read.problem}`;
  const { authTokens, authTokenParameter } = read.settings;
  if (authTokens.length === 0 && authTokenParameter === undefined && allow !== 'true') {
    return `refusing to package a public function URL with no bearer token: ${TOKEN_SOURCES}, or ALLOW_PUBLIC_FUNCTION_URL=true to publish it without auth on purpose`;
  }
  return undefined;
}

class PublicUrlGuard {
  constructor(serverless) {
    const check = () => {
      const problem = publicUrlProblem(process.env);
      if (problem !== undefined) throw new serverless.classes.Error(problem);
    };
    // `deploy` packages first (unless given --package); `deploy function` rewrites the function's
    // environment from this shell, so an empty AUTH_TOKEN there would open a guarded function.
    this.hooks = { 'before:package:initialize': check, 'before:deploy:function:initialize': check };
  }
}

module.exports = PublicUrlGuard;
module.exports.publicUrlProblem = publicUrlProblem;

if (require.main === module) {
  // `npm run package` runs this first: each package-time refusal, this guard's or the stack
  // settings' (scripts/serverless-deployment-settings.cjs), is one line before anything is built.
  const { deploymentProblem } = require('./serverless-deployment-settings.cjs');
  const problem = publicUrlProblem(process.env) ?? deploymentProblem(process.env);
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exitCode = 1;
  }
}
