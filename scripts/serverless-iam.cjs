// Least-privilege IAM statements for serverless.yml, resolved at package time
// (docs/security-model.md#least-privilege-on-aws):
//   - ssm:GetParameter on the configured parameters only (CONFIG_SSM_PARAMETER,
//     AUTH_TOKEN_SSM_PARAMETER, PUSH_TOKEN_SSM_PARAMETER);
//   - no kms:Decrypt for SecureStrings under the AWS managed key aws/ssm: its key policy already
//     lets SSM decrypt for any principal of the account allowed to read the parameter;
//   - with a customer-managed key (CONFIG_SSM_KMS_KEY_ARN), kms:Decrypt on that key only, when SSM
//     asks on the function's behalf (kms:ViaService) for one of those parameters
//     (kms:EncryptionContext:PARAMETER_ARN, the context SSM sends with each SecureString).
// With neither parameter set the function needs nothing beyond its own log group.
// scripts/serverless-deployment-settings.cjs refuses a CONFIG_SSM_KMS_KEY_ARN that is no key ARN.
'use strict';

/** The parameter's ARN from a name ("/team/config", "config") or an ARN as given. */
function parameterArn(parameter) {
  if (parameter.startsWith('arn:')) return parameter;
  const path = parameter.startsWith('/') ? parameter : `/${parameter}`;
  return { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path}` };
}

/** The role's statements for an environment (process.env when serverless.yml resolves them). */
function statementsFor(env) {
  const parameters = [env.CONFIG_SSM_PARAMETER, env.AUTH_TOKEN_SSM_PARAMETER, env.PUSH_TOKEN_SSM_PARAMETER]
    .map((name) => (name || '').trim())
    .filter((name) => name !== '');
  if (parameters.length === 0) return [];
  const arns = parameters.map(parameterArn);
  const statements = [{ Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: arns }];
  const kmsKey = (env.CONFIG_SSM_KMS_KEY_ARN || '').trim();
  if (kmsKey !== '') {
    statements.push({
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [kmsKey],
      Condition: {
        StringEquals: {
          'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' },
          // A list: any one of the parameters.
          'kms:EncryptionContext:PARAMETER_ARN': arns,
        },
      },
    });
  }
  return statements;
}

module.exports.statements = () => statementsFor(process.env);
module.exports.statementsFor = statementsFor;
module.exports.parameterArn = parameterArn;
