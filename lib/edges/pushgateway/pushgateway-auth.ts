import { PushgatewayError } from '../../core/errors.ts';

/**
 * The `Authorization` header for a Pushgateway: a bearer token (for a token-checking proxy) wins
 * over `user:password@` in its URL (Pushgateway's own basic auth, `--web.config.file`). Throws a
 * PushgatewayError (never a bare URIError) when the credentials are not valid percent-encoding.
 */
export function pushgatewayAuthorization(url: URL, bearerToken: string | undefined): string | undefined {
  if (bearerToken) return `Bearer ${bearerToken}`;
  if (!url.username && !url.password) return undefined;
  let credentials: string;
  try {
    credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  } catch (error) {
    throw new PushgatewayError(
      'PUSHGATEWAY_UNREACHABLE',
      'the Pushgateway URL has a "%" in its user or password that is not percent-encoding: write "%" as "%25"',
      { cause: error },
    );
  }
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}
