/**
 * The `Authorization` header for a Pushgateway: a bearer token (for a token-checking proxy) wins
 * over `user:password@` in its URL (Pushgateway's own basic auth, `--web.config.file`).
 */
export function pushgatewayAuthorization(url: URL, bearerToken: string | undefined): string | undefined {
  if (bearerToken) return `Bearer ${bearerToken}`;
  if (!url.username && !url.password) return undefined;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}
