// The bench's bare servers: a node process that answers over node:http, nothing of ours loaded.
import { freePort, startProcess, type RunningProcess } from '../../test/support/processes.ts';

/**
 * A new node process that runs `setup` (JavaScript source), then serves `handler` (the source of a
 * `(request, response) => …` function) with node:http on a free loopback port; ready once it answers.
 */
export async function startNodeServer(setup: string, handler: string): Promise<RunningProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const script = `${setup}\nrequire('node:http').createServer(${handler}).listen(${port}, '127.0.0.1');`;
  return startProcess(process.execPath, ['-e', script], { readyUrl: `${url}/-/healthy`, url, port });
}
