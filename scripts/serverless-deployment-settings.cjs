// The package-time settings of the production stack (docs/aws-deployment.md), read from the shell
// when packaging, each checked here so a typo stops `serverless package`/`deploy` with one line
// naming the variable instead of deploying something else:
//   - RESERVED_CONCURRENCY: the function's reserved concurrency, 10 unless set; `none` for accounts
//     whose concurrency quota is under 110, where Lambda refuses any reservation. It caps what a
//     flood of requests can cost: past it, the function URL answers 429 (docs/aws-deployment.md#reserved-concurrency).
//   - ALARM_TOPIC_ARN: an SNS topic; set, the stack gets alarms on Errors, Throttles and the function
//     URL's 4xx count that notify it (docs/operations.md#cloudwatch-alarms).
//   - ALARM_URL_4XX_THRESHOLD: 4xx answers per 5 minutes that raise the 4xx alarm (default 50).
//   - CONFIG_SSM_KMS_KEY_ARN: the customer-managed key of the SecureStrings (scripts/serverless-iam.cjs).
// It also warns, in one line each, about a secret given in plain text: it would land in the template
// and the function's configuration.
// Two ways in, as scripts/serverless-public-url-guard.cjs: this plugin (the `serverless` commands)
// and that script's command line, which `npm run package` runs first (one line on stderr).
'use strict';

const DEFAULT_RESERVED_CONCURRENCY = 10;
const DEFAULT_URL_4XX_THRESHOLD = 50;
/** The alarms' period: 5 minutes, Lambda's metrics being per minute (docs/operations.md#cloudwatch-alarms). */
const ALARM_PERIOD_SECONDS = 300;
const MAX_WHOLE = 1_000_000;

const SNS_TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const KMS_KEY_ARN = /^arn:aws(?:-[a-z]+)*:kms:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;

const shown = (value) => JSON.stringify(value.slice(0, 60));
const refuse = (line) => ({ problem: `refusing to package: ${line}` });

/** A whole number from 1, or undefined. */
function wholeFromOne(text) {
  if (!/^\d{1,7}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= 1 && value <= MAX_WHOLE ? value : undefined;
}

/** Whether a URL carries a user or password (`http://user:password@host`). */
function hasCredentials(url) {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

/**
 * The package-time settings from `env`: `{ settings, warnings }`, or `{ problem }`: one line naming
 * the variable, never a secret's value.
 */
function deploymentSettings(env) {
  const value = (name) => (env[name] ?? '').trim();

  const concurrencyText = value('RESERVED_CONCURRENCY');
  let reservedConcurrency = DEFAULT_RESERVED_CONCURRENCY;
  if (concurrencyText.toLowerCase() === 'none') reservedConcurrency = undefined;
  else if (concurrencyText !== '') {
    reservedConcurrency = wholeFromOne(concurrencyText);
    if (reservedConcurrency === undefined) {
      return refuse(`RESERVED_CONCURRENCY must be a whole number of concurrent executions from 1 to ${MAX_WHOLE} (default ${DEFAULT_RESERVED_CONCURRENCY}), or none for no reservation, got ${shown(concurrencyText)}`);
    }
  }

  const alarmTopicArn = value('ALARM_TOPIC_ARN') || undefined;
  if (alarmTopicArn !== undefined && !SNS_TOPIC_ARN.test(alarmTopicArn)) {
    return refuse(`ALARM_TOPIC_ARN must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME), got ${shown(alarmTopicArn)}`);
  }

  const thresholdText = value('ALARM_URL_4XX_THRESHOLD');
  const url4xxThreshold = thresholdText === '' ? DEFAULT_URL_4XX_THRESHOLD : wholeFromOne(thresholdText);
  if (url4xxThreshold === undefined) {
    return refuse(`ALARM_URL_4XX_THRESHOLD must be a whole number of 4xx answers per 5 minutes from 1 to ${MAX_WHOLE} (default ${DEFAULT_URL_4XX_THRESHOLD}), got ${shown(thresholdText)}`);
  }

  const kmsKeyArn = value('CONFIG_SSM_KMS_KEY_ARN') || undefined;
  if (kmsKeyArn !== undefined && !KMS_KEY_ARN.test(kmsKeyArn)) {
    // IAM matches a KMS key by its key ARN: an alias or a bare key id in Resource grants nothing.
    return refuse(`CONFIG_SSM_KMS_KEY_ARN must be the key ARN of a customer-managed key (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias or key id; leave it unset for the AWS managed key aws/ssm; got ${shown(kmsKeyArn)}`);
  }

  const warnings = [];
  const ssmParameters = ['CONFIG_SSM_PARAMETER', 'AUTH_TOKEN_SSM_PARAMETER', 'PUSH_TOKEN_SSM_PARAMETER'].some((name) => value(name) !== '');
  if (kmsKeyArn !== undefined && !ssmParameters) {
    warnings.push('CONFIG_SSM_KMS_KEY_ARN has no effect without CONFIG_SSM_PARAMETER or AUTH_TOKEN_SSM_PARAMETER (or PUSH_TOKEN_SSM_PARAMETER): the function reads no parameter');
  }
  if (thresholdText !== '' && alarmTopicArn === undefined) {
    warnings.push('ALARM_URL_4XX_THRESHOLD has no effect without ALARM_TOPIC_ARN: no alarms are created');
  }
  // Exactly '' is unset, as in serverless.yml's `${env:AUTH_TOKEN, ''}`.
  const plain = 'lands in plain text in the CloudFormation template and the function\'s configuration, readable by whoever may read either';
  if ((env.AUTH_TOKEN ?? '') !== '') {
    warnings.push(`AUTH_TOKEN ${plain}; put the tokens in a SecureString and set AUTH_TOKEN_SSM_PARAMETER instead`);
  }
  if ((env.PUSH_TOKEN ?? '') !== '') {
    warnings.push(`PUSH_TOKEN ${plain}; put the check-in keys in a SecureString and set PUSH_TOKEN_SSM_PARAMETER instead`);
  }
  if ((env.PUSHGATEWAY_BEARER_TOKEN ?? '') !== '') {
    warnings.push(`PUSHGATEWAY_BEARER_TOKEN ${plain}; put pushgateway_bearer_token in the config, kept in a SecureString named by CONFIG_SSM_PARAMETER, instead`);
  }
  if (hasCredentials(value('PUSHGATEWAY_URL'))) {
    warnings.push(`PUSHGATEWAY_URL holds a user or password, which ${plain}; put pushgateway_url in the config, kept in a SecureString named by CONFIG_SSM_PARAMETER, instead`);
  }
  return { settings: { reservedConcurrency, alarmTopicArn, url4xxThreshold, kmsKeyArn }, warnings };
}

/** Why packaging must stop, in one line, or undefined. */
function deploymentProblem(env) {
  const read = deploymentSettings(env);
  return 'problem' in read ? read.problem : undefined;
}

/**
 * The three alarms of a function, notifying `topicArn` when they fire and when they clear.
 * `functionLogicalId`: the function's resource in the template; `namePrefix`: service and stage.
 */
function alarmResources(settings, functionLogicalId, namePrefix, hasUrl = true) {
  if (settings.alarmTopicArn === undefined) return {};
  const functionName = { Ref: functionLogicalId };
  const alarm = (suffix, description, metricName, threshold) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${namePrefix}-${suffix}`,
      AlarmDescription: description,
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      // FunctionName alone: the sum over the function's URLs on $LATEST and its aliases, here
      // the one URL (docs/operations.md#cloudwatch-alarms).
      Dimensions: [{ Name: 'FunctionName', Value: functionName }],
      Statistic: 'Sum',
      Period: ALARM_PERIOD_SECONDS,
      EvaluationPeriods: 1,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      // Lambda publishes no data point for a quiet period: no data is no error.
      TreatMissingData: 'notBreaching',
      AlarmActions: [settings.alarmTopicArn],
      OKActions: [settings.alarmTopicArn],
    },
  });
  const id = functionLogicalId.replace(/LambdaFunction$/, '');
  const alarms = {
    [`${id}ErrorsAlarm`]: alarm('errors', 'The function failed (crash, timeout or out of memory); a failing probe is not an error. docs/operations.md#cloudwatch-alarms', 'Errors', 1),
    [`${id}ThrottlesAlarm`]: alarm('throttles', 'Requests refused with 429 at the reserved concurrency: a flood, or a cap too small for the scrapes. docs/operations.md#cloudwatch-alarms', 'Throttles', 1),
  };
  if (hasUrl) {
    alarms[`${id}Url4xxAlarm`] = alarm('url-4xx', `At least ${settings.url4xxThreshold} 4xx answers of the function URL in 5 minutes: a wrong token, a wrong job, or someone knocking. docs/operations.md#cloudwatch-alarms`, 'Url4xxCount', settings.url4xxThreshold);
  }
  return alarms;
}

/** The logical ids of the functions a function URL points at: those a flood of requests can reach. */
function functionsWithUrl(template) {
  return new Set(Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Url')
    .map((resource) => JSON.stringify(resource.Properties.TargetFunctionArn).match(/"Fn::GetAtt":\["([^"]+)"/)?.[1]));
}

/**
 * Applies `settings` to a compiled template: the reserved concurrency of each function behind a
 * URL, and the alarms. A function without a URL (the scheduled reaper) keeps the reservation it
 * declares; `none` removes every reservation (an account under 110 refuses any).
 */
function applyDeploymentSettings(template, settings, namePrefix) {
  const functions = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
  const withUrl = functionsWithUrl(template);
  for (const [logicalId, resource] of functions) {
    if (settings.reservedConcurrency === undefined) delete resource.Properties.ReservedConcurrentExecutions;
    else if (withUrl.has(logicalId)) resource.Properties.ReservedConcurrentExecutions = settings.reservedConcurrency;
    // The probe's alarms keep their names whether or not the reaper is beside it; others are named by function.
    const prefix = functions.length === 1 || (withUrl.size === 1 && withUrl.has(logicalId)) ? namePrefix : `${namePrefix}-${logicalId.replace(/LambdaFunction$/, '').toLowerCase()}`;
    for (const [id, alarm] of Object.entries(alarmResources(settings, logicalId, prefix, withUrl.has(logicalId)))) {
      if (id in template.Resources) throw new Error(`scripts/serverless-deployment-settings.cjs: the template already has a resource ${id}`);
      template.Resources[id] = alarm;
    }
  }
  return template;
}

class DeploymentSettings {
  constructor(serverless, _options, utils) {
    const read = () => {
      const result = deploymentSettings(process.env);
      if ('problem' in result) throw new serverless.classes.Error(result.problem);
      return result;
    };
    this.hooks = {
      'before:package:initialize': () => {
        for (const warning of read().warnings) utils?.log?.warning?.(warning);
      },
      // After the functions and their URLs are compiled, before custom resources merge and the template is saved.
      'after:package:compileEvents': () => {
        const provider = serverless.getProvider('aws');
        const namePrefix = `${serverless.service.service}-${provider.getStage()}`;
        applyDeploymentSettings(provider.serverless.service.provider.compiledCloudFormationTemplate, read().settings, namePrefix);
      },
    };
  }
}

module.exports = DeploymentSettings;
module.exports.deploymentSettings = deploymentSettings;
module.exports.deploymentProblem = deploymentProblem;
module.exports.alarmResources = alarmResources;
module.exports.applyDeploymentSettings = applyDeploymentSettings;
module.exports.DEFAULT_RESERVED_CONCURRENCY = DEFAULT_RESERVED_CONCURRENCY;
module.exports.DEFAULT_URL_4XX_THRESHOLD = DEFAULT_URL_4XX_THRESHOLD;
