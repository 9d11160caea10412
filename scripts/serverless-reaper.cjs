// The scheduled reaper (docs/operations.md#expiring-dead-groups), added only when REAP_SCHEDULE is
// set at package time (or when `npm start` starts serverless-offline): a second function, dist/reaper.handler, on that schedule, with a role of
// its own that may write its logs and read the config's SSM parameter, nothing else (no token
// parameter: it serves no HTTP). Unset: no function, and dist/reaper.mjs is left out of the zip.
// Two ways in, as scripts/serverless-public-url-guard.cjs: a serverless plugin, and
// `node scripts/serverless-reaper.cjs`, which `npm run package` runs first for a one-line error.
'use strict';

const { statementsFor } = require('./serverless-iam.cjs');

const UNITS = 'minute|minutes|hour|hours|day|days';

/** Why REAP_SCHEDULE is not an EventBridge schedule expression, or undefined. */
function scheduleProblem(schedule) {
  const rate = /^rate\((\d+) (\w+)\)$/.exec(schedule);
  if (rate !== null) {
    const [, count, unit] = rate;
    if (!new RegExp(`^(${UNITS})$`).test(unit) || Number(count) < 1) return `rate needs a whole number and a unit (${UNITS.replace(/\|/g, ', ')})`;
    if ((Number(count) === 1) !== !unit.endsWith('s')) return `EventBridge wants "rate(1 ${unit.replace(/s$/, '')})" for one, "rate(${count} ${unit.endsWith('s') ? unit : `${unit}s`})" otherwise`;
    return undefined;
  }
  const cron = /^cron\(([^()]+)\)$/.exec(schedule);
  if (cron !== null) return cron[1].trim().split(/\s+/).length === 6 ? undefined : 'cron() takes 6 fields: minutes hours day-of-month month day-of-week year';
  return 'use rate(5 minutes) or cron(0/5 * * * ? *)';
}

/** The schedule to deploy, undefined when unset, or an Error with the one line to show. */
function readSchedule(env) {
  const schedule = (env.REAP_SCHEDULE ?? '').trim();
  if (schedule === '') return undefined;
  const problem = scheduleProblem(schedule);
  return problem === undefined ? schedule : new Error(`refusing to package: REAP_SCHEDULE ${JSON.stringify(schedule.slice(0, 60))} is not a schedule expression: ${problem}`);
}

/**
 * The reaper role's statements: its own log group, and the config parameter with the same rules
 * as the probe's role (scripts/serverless-iam.cjs: no kms:Decrypt under aws/ssm; a customer key
 * only through SSM for that parameter).
 */
function reaperStatements(env, functionName) {
  const logs = {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*` }],
  };
  return [logs, ...statementsFor({ CONFIG_SSM_PARAMETER: env.CONFIG_SSM_PARAMETER, CONFIG_SSM_KMS_KEY_ARN: env.CONFIG_SSM_KMS_KEY_ARN })];
}

class ServerlessReaper {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:initialize': () => this.addReaper(),
      // `npm start`: serverless-offline 13 runs schedule events itself (node-schedule; rate() in
      // minutes, hours or days, and cron()), so the local stage gets the same reaper on the same
      // schedule (docs/operations.md#expiring-dead-groups). Added before serverless-offline reads
      // the functions' events.
      'before:offline:start:init': () => this.addReaper(),
    };
  }

  addReaper() {
    const schedule = readSchedule(process.env);
    const service = this.serverless.service;
    if (schedule instanceof Error) throw schedule;
    if (schedule === undefined) {
      service.package.patterns = [...(service.package.patterns ?? []), '!dist/reaper.mjs'];
      return;
    }
    const stage = this.serverless.getProvider('aws').getStage();
    const name = `${service.service}-${stage}-reaper`;
    service.functions.reaper = {
      handler: 'dist/reaper.handler',
      name,
      description: 'Deletes Pushgateway groups older than expire_after_seconds (docs/operations.md#expiring-dead-groups)',
      // A sweep re-reads the Pushgateway between its DELETEs: a first sweep over thousands of dead
      // groups takes minutes; it stops early enough to finish its last requests (functions/reaper.ts)
      // and the next sweep goes on.
      timeout: 300,
      // Reads the JSON API whole, twice per sweep with deletions: 11.6 MB at 10k groups (text: 4.0 MB);
      // a sweep process peaked at 304 MB RSS there (docs/operations.md#expiring-dead-groups).
      memorySize: 512,
      // One sweep at a time: a slow sweep and the next one never delete side by side.
      reservedConcurrency: 1,
      role: 'ReaperRole',
      // The reaper serves no HTTP: no bearer token or check-in key reaches it.
      environment: { AUTH_TOKEN: '', AUTH_TOKEN_SSM_PARAMETER: '', PUSH_TOKEN: '', PUSH_TOKEN_SSM_PARAMETER: '' },
      events: [{ schedule: { rate: [schedule] } }],
      // EventBridge invokes asynchronously: a failed sweep is not retried (the next schedule is the
      // retry), so one failure is one sweep and one Errors data point.
      maximumRetryAttempts: 0,
    };
    service.resources = service.resources ?? {};
    service.resources.Resources = service.resources.Resources ?? {};
    service.resources.Resources.ReaperRole = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
        },
        Policies: [{ PolicyName: 'reaper', PolicyDocument: { Version: '2012-10-17', Statement: reaperStatements(process.env, name) } }],
      },
    };
  }
}

module.exports = ServerlessReaper;
module.exports.readSchedule = readSchedule;

if (require.main === module) {
  const schedule = readSchedule(process.env);
  if (schedule instanceof Error) {
    process.stderr.write(`${schedule.message}\n`);
    process.exit(1);
  }
}
