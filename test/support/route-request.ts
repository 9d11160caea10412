import type { HttpRequest } from '../../lib/http/routes.ts';

/** A request as the route table receives it: GET unless `method` says otherwise; a list repeats the parameter. */
export function get(path: string, query: Record<string, string | string[]> = {}, headers: Record<string, string> = {}, method = 'GET'): HttpRequest {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) for (const v of [value].flat()) params.append(key, v);
  return { method, path, query: params, headers };
}
