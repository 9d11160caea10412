import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describeError } from '../lib/core/errors.ts';
import { stderrLines } from '../lib/edges/stderr-lines.ts';
import { runtimeFromEnvironment } from '../lib/runtime/production-ports.ts';
import { readFunctionUrlEvent } from '../lib/http/function-url-event.ts';
import { handleRequest, internalError, textResponse, type HttpResponse } from '../lib/http/routes.ts';

// Module scope survives between invocations of a warm container: the config, the
// Pushgateway snapshot and the keep-alive connection are reused.
// Log lines straight to fd 2, as Lambda's runtime writes its own (lib/edges/stderr-lines.ts).
const runtime = runtimeFromEnvironment(process.env, { cwd: process.cwd(), writeLog: stderrLines() });
// A Lambda cannot refuse to start: it answers 503 to every request instead (lib/http/routes.ts), and
// says why once per container here.
if (runtime.startupProblem !== undefined) runtime.logger.error('exporter misconfigured: every request answers 503', { error: runtime.startupProblem });

/** A HEAD answer goes without its body (the route table keeps GET's, lib/http/routes.ts). */
const toResult = (response: HttpResponse, head = false): APIGatewayProxyStructuredResultV2 =>
  ({ statusCode: response.status, headers: { ...response.headers }, body: head ? '' : response.body });

/**
 * Adapts a function URL event (payload format 2.0, which serverless-offline's httpApi routes also
 * send) to the route table. Never throws: Lambda would answer a bare 502.
 */
export async function handler(event: unknown, context?: unknown): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const read = readFunctionUrlEvent(event, context);
    if ('problem' in read) {
      runtime.logger.warn('request', { status: 400, error: read.problem });
      return toResult(textResponse(400, read.problem));
    }
    return toResult(await handleRequest(read.request, runtime), read.request.method.toUpperCase() === 'HEAD');
  } catch (error) {
    runtime.logger.error('request failed', { error: describeError(error) });
    return toResult(internalError());
  }
}
