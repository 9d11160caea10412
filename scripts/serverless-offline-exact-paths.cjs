// serverless-offline (`npm start`) hands the handler a normalised path: its HTTP server strips a
// trailing slash, removes dot segments and decodes percent-encoded letters, so `/probe/`,
// `/./probe` and `/%70robe` would all reach /probe, while a function URL and `npm run serve` match
// the path exactly as sent (docs/security-model.md). This plugin answers 404 to any request whose
// path serverless-offline would rewrite, before it reaches the handler, so every entry point
// routes the same paths. It also joins a repeated Authorization header (serverless-offline would
// keep the last), so two of them never authorize, as on the other entry points. And it answers a
// check-in whose Content-Length is over the limit with 413 before its body is read.
// It needs serverless-offline's HTTP server, reached through `internals()` (serverless-offline
// 13); it fails `npm start` loudly rather than run without the check if that ever changes.
'use strict';

const ABSOLUTE_FORM_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/** The path of a request target exactly as sent (the same reading as lib/http/standalone-server.ts). */
function rawPathOf(target) {
  const prefix = ABSOLUTE_FORM_PREFIX.exec(target);
  const rest = prefix === null ? target : target.slice(prefix[0].length) || '/';
  const mark = rest.indexOf('?');
  const path = mark === -1 ? rest : rest.slice(0, mark);
  return path === '' ? '/' : path;
}

/** serverless-offline builds the event's headers from rawHeaders, where the last repeat would win. */
function joinRepeatedAuthorization(req) {
  const values = [];
  const others = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === 'authorization') values.push(req.rawHeaders[i + 1]);
    else others.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  if (values.length > 1) req.rawHeaders = [...others, 'authorization', values.join(', ')];
}

/** lib/core/push/check-in.ts MAX_CHECK_IN_BODY_BYTES (docs/check-ins.md); test/unit/check-in-path.test.ts keeps them equal. */
const MAX_CHECK_IN_BODY_BYTES = 10_240;

/** lib/core/push/check-in.ts redactCheckInPath: the segment after /ping/ (the key, or the service) replaced. */
function redactCheckInPath(path) {
  const rest = path.slice('/ping/'.length);
  const slash = rest.indexOf('/');
  return `/ping/<redacted>${slash === -1 ? '' : rest.slice(slash)}`;
}

const clip = (text) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);

class OfflineExactPaths {
  constructor(serverless) {
    this.hooks = {
      // After serverless-offline's own init hook has created and started its HTTP server; hooks
      // run back to back, so no request is served in between.
      'after:offline:start:init': () => {
        const offline = serverless.pluginManager.plugins.find((plugin) => plugin?.constructor?.name === 'ServerlessOffline');
        const unreachable = () => new serverless.classes.Error('scripts/serverless-offline-exact-paths.cjs cannot reach serverless-offline\'s HTTP server (internals().getApiGatewayServer()): adapt it to this serverless-offline version');
        if (typeof offline?.internals !== 'function') throw unreachable();
        let server;
        try {
          server = offline.internals().getApiGatewayServer();
        } catch {
          // A stage with no HTTP events (only the local stage has them) starts no HTTP server.
          return;
        }
        if (server === undefined || server === null) return;
        if (typeof server.ext !== 'function') throw unreachable();
        server.ext('onRequest', (request, h) => {
          const raw = rawPathOf(request.raw.req.url ?? '/');
          // `request.url` is the parsed, normalised URL serverless-offline builds the event from.
          if (request.url === null || request.url.pathname !== raw) {
            return h
              .response(`not found: ${JSON.stringify(clip(raw))}: paths are matched exactly as sent (no trailing slash, dot segment or percent-encoded letter)\n`)
              .code(404)
              .type('text/plain; charset=utf-8')
              .takeover();
          }
          if (raw.startsWith('/ping/') && Number(request.headers['content-length']) > MAX_CHECK_IN_BODY_BYTES) {
            // Answered before serverless-offline reads the body into the event (up to 1 MB), as
            // `npm run serve` answers without reading it; the connection closes, the rest unread.
            return h
              .response(`check-in body over ${MAX_CHECK_IN_BODY_BYTES} bytes: a check-in's body is ignored, send none\n`)
              .code(413)
              .type('text/plain; charset=utf-8')
              .header('connection', 'close')
              .takeover();
          }
          joinRepeatedAuthorization(request.raw.req);
          return h.continue;
        });
        // serverless-offline prints `GET <request.path> (λ: probe)` for every request: a check-in's
        // path holds its key. Once the route is looked up, request.path is only that line's; the
        // event is built from request.url, which keeps the path as sent.
        server.ext('onPreAuth', (request, h) => {
          if (typeof request.path === 'string' && request.path.startsWith('/ping/')) request.path = redactCheckInPath(request.path);
          return h.continue;
        });
      },
    };
  }
}

module.exports = OfflineExactPaths;
module.exports.MAX_CHECK_IN_BODY_BYTES = MAX_CHECK_IN_BODY_BYTES;
