import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { writeAnswer } from '../../lib/http/standalone-server.ts';
import { textResponse } from '../../lib/http/http-answer.ts';

// writeAnswer sends a body as a Latin-1 string when it is ASCII: the bytes on the wire must be
// those of the one UTF-8 Buffer the server wrote before, headers included, for every body.

/** The answer as written before: one UTF-8 Buffer. */
function writeAsBuffer(response: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: string): void {
  const bytes = Buffer.from(body);
  response.writeHead(status, { ...headers, 'content-length': bytes.length });
  response.end(bytes);
}

const HEADERS = { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' };
let nextBody = '';
let nextHeaders: Readonly<Record<string, string>> = HEADERS;
let server: Server;

/** The raw bytes of the answer to one request (`Date` left out), written by `how`. */
async function rawAnswer(how: 'new' | 'known-ascii' | 'buffer', method: 'GET' | 'HEAD', body: string, headers: Readonly<Record<string, string>> = HEADERS): Promise<Buffer> {
  nextBody = body;
  nextHeaders = headers;
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  socket.end(`${method} /${how} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.from(Buffer.concat(chunks).toString('latin1').replace(/\r\nDate: [^\r]*/, ''), 'latin1');
}

describe('writeAnswer', () => {
  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/known-ascii') writeAnswer(response, 200, nextHeaders, nextBody, true);
      else (request.url === '/new' ? writeAnswer : writeAsBuffer)(response, 200, nextHeaders, nextBody);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the bytes the UTF-8 Buffer sent, for ASCII, Latin-1, astral, unpaired and empty bodies', async () => {
    const bodies = ['', 'probe_success 1\n', 'a'.repeat(70_000), 'caf\u00e9\n', '\u00ff', '\u0080', 'x\u{1f642}y', '\ud800', 'a\udc00b', '\u0000\u007f'];
    for (const method of ['GET', 'HEAD'] as const) {
      for (const body of bodies) {
        const sent = await rawAnswer('new', method, body);
        assert.deepEqual(sent, await rawAnswer('buffer', method, body), `${method} ${JSON.stringify(body.slice(0, 20))}`);
        assert.match(sent.toString('latin1'), new RegExp(`\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`));
      }
    }
  });

  it("sends each answer's own headers when they change from one answer to the next", async () => {
    // The server keeps the header list of the last headers object it wrote: an answer with other headers must never get it.
    const probe = Object.freeze({ ...HEADERS });
    const sequence: Readonly<Record<string, string>>[] = [
      probe,
      textResponse(405, 'no', { allow: 'GET, HEAD' }).headers,
      textResponse(401, 'no', { 'www-authenticate': 'Bearer realm="pushgateway-exporter"' }).headers,
      probe,
      { 'content-type': 'application/json; charset=utf-8' },
      probe,
    ];
    for (const headers of sequence) {
      const sent = await rawAnswer('new', 'GET', 'x\n', headers);
      assert.deepEqual(sent, await rawAnswer('buffer', 'GET', 'x\n', headers), JSON.stringify(headers));
      for (const [name, value] of Object.entries(headers)) assert.ok(sent.toString('latin1').includes(`\r\n${name}: ${value}\r\n`), `${name} sent`);
    }
  });

  it('sends the same bytes for an ASCII body the route vouched for, unscanned', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      for (const body of ['', 'probe_success 1\n', 'a'.repeat(70_000), '\u0000\u007f', `${'x'.repeat(40)}\n`.repeat(60)]) {
        assert.deepEqual(await rawAnswer('known-ascii', method, body), await rawAnswer('buffer', method, body), `${method} ${JSON.stringify(body.slice(0, 20))}`);
      }
    }
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), maxLength: 64 }), async (body) => {
        assert.deepEqual(await rawAnswer('known-ascii', 'GET', body), await rawAnswer('buffer', 'GET', body));
      }),
      { numRuns: 100 },
    );
  });

  it('sends the same bytes for arbitrary strings (property-based)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 32 }), fc.string({ unit: 'grapheme', maxLength: 32 })), async (body) => {
        assert.deepEqual(await rawAnswer('new', 'GET', body), await rawAnswer('buffer', 'GET', body));
      }),
      { numRuns: 200 },
    );
  });
});
