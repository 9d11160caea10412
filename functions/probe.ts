import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { createExporter } from '../lib/exporter.ts';
import { handleRequest } from '../lib/routes.ts';

// Module scope survives between invocations of a warm container: the config, the
// Pushgateway snapshot and the keep-alive connection are reused.
const exporter = createExporter(process.env, { cwd: process.cwd() });

/** Adapts a function URL event (payload format 2.0, which serverless-offline's httpApi routes also send) to the route table. */
export async function handler(event: LambdaFunctionURLEvent, context?: Context): Promise<APIGatewayProxyStructuredResultV2> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const response = await handleRequest(
    {
      method: event.requestContext.http.method,
      path: event.rawPath,
      query: new URLSearchParams(event.rawQueryString ?? ''),
      headers,
      remainingTimeMs: context?.getRemainingTimeInMillis?.(),
      requestId: context?.awsRequestId,
    },
    exporter,
  );
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
}
