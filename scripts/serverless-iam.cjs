// Least-privilege IAM statements for serverless.yml, resolved at package time:
// ssm:GetParameter on the configured parameters only (CONFIG_SSM_PARAMETER,
// AUTH_TOKEN_SSM_PARAMETER), and kms:Decrypt only through SSM. With neither set the function
// needs nothing beyond its own log group.
'use strict';

/** The parameter's ARN from a name ("/team/config", "config") or an ARN as given. */
function parameterArn(parameter) {
  if (parameter.startsWith('arn:')) return parameter;
  const path = parameter.startsWith('/') ? parameter : `/${parameter}`;
  return { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path}` };
}

module.exports.statements = () => {
  const parameters = [process.env.CONFIG_SSM_PARAMETER, process.env.AUTH_TOKEN_SSM_PARAMETER]
    .map((name) => (name || '').trim())
    .filter((name) => name !== '');
  if (parameters.length === 0) return [];
  const kmsKey = (process.env.CONFIG_SSM_KMS_KEY_ARN || '').trim();
  return [
    { Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: parameters.map(parameterArn) },
    {
      // SecureString: decrypt only when SSM asks on the function's behalf, in this account and region.
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [kmsKey !== '' ? kmsKey : { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' }],
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } } },
    },
  ];
};
