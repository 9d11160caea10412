// README.md is the front door and docs/ the reference (docs/architecture.md): the README stays
// short and holds nothing that goes stale by itself, every link between the pages resolves, code
// comments cite pages and sections that exist (never the spec outside the repository), and the
// failure-modes table names tests that exist.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { codeBlocks } from '../support/doc-commands.ts';
import { PROJECT_ROOT } from '../support/processes.ts';

const README_MAX_BYTES = 16 * 1024;

const read = (file: string): string => readFileSync(join(PROJECT_ROOT, file), 'utf8');
const docPages = (): string[] => readdirSync(join(PROJECT_ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`).sort();

/** Text outside fenced code blocks and inline code, where Markdown links live. */
function prose(markdown: string): string {
  return markdown.replace(/^( *)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\2\s*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors of a page's headings (inline code kept: headings may hold some). */
function headingsOf(markdown: string): Set<string> {
  const withoutBlocks = markdown.replace(/^( *)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\2\s*$/gm, '');
  const anchors = new Set<string>();
  for (const line of withoutBlocks.split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) anchors.add(headingAnchor(heading));
  }
  return anchors;
}

/** Files under `dir` (recursively) whose name ends in one of `extensions`. */
function sourceFiles(dir: string, extensions: readonly string[]): string[] {
  return readdirSync(join(PROJECT_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => extensions.some((extension) => name.endsWith(extension)))
    .map((name) => join(dir, name));
}

/** `docs/page.md` or `docs/page.md#section` as the code cites it. */
const DOC_CITATION = /\bdocs\/([\w-]+\.md)(#[\w-]+)?/g;

describe('README.md, the front door', () => {
  const readme = read('README.md');

  it(`is at most ${README_MAX_BYTES / 1024} KB`, () => {
    const bytes = Buffer.byteLength(readme);
    assert.ok(bytes <= README_MAX_BYTES, `README.md is ${bytes} bytes: move reference material to docs/`);
  });

  it('holds no figure that goes stale by itself (test counts, timings, sizes, throughput)', () => {
    const stale = prose(readme).match(/\b\d[\d,.]*\s*(?:tests?\b|ms\b|µs\b|kB\b|MB\b|minutes?\b|req\/s)/g);
    assert.equal(stale, null, 'put measured figures in docs/performance.md, dated');
  });

  it('shows the Prometheus job exactly as the end-to-end test runs it', () => {
    const job = read('test/fixtures/prometheus-seed-job.yml');
    assert.ok(codeBlocks(readme).some((block) => block.lang === 'yaml' && block.code === job), 'a yaml block equal to test/fixtures/prometheus-seed-job.yml');
  });

  it('links every page of docs/', () => {
    const linked = new Set([...prose(readme).matchAll(/\]\((docs\/[\w-]+\.md)(?:#[\w-]+)?\)/g)].map((match) => match[1]));
    assert.deepEqual(docPages().filter((page) => !linked.has(page)), []);
  });
});

describe('links between README.md and docs/', () => {
  it('every relative link names a file that exists, and a heading of it when it has an anchor', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...docPages()]) {
      const text = read(file);
      for (const match of prose(text).matchAll(/\]\(([^()\s]+)\)/g)) {
        const target = match[1] ?? '';
        if (/^[a-z]+:/i.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? file : relative(PROJECT_ROOT, join(PROJECT_ROOT, dirname(file), path));
        if (!existsSync(join(PROJECT_ROOT, resolved))) {
          broken.push(`${file}: ${target} (no file ${resolved})`);
          continue;
        }
        if (anchor !== undefined && resolved.endsWith('.md') && !headingsOf(read(resolved)).has(anchor)) {
          broken.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it('the anchor rule matches GitHub on the headings these pages use', () => {
    assert.equal(headingAnchor('All services in one scrape: `/probes`'), 'all-services-in-one-scrape-probes');
    assert.equal(headingAnchor('Python (`prometheus_client`)'), 'python-prometheus_client');
    assert.equal(headingAnchor('Node.js with `prom-client`'), 'nodejs-with-prom-client');
    assert.equal(headingAnchor('What the function may do (IAM)'), 'what-the-function-may-do-iam');
    assert.ok(headingsOf('## Shell (curl)\n```sh\n# not a heading\n```\n').has('shell-curl'));
    assert.ok(!headingsOf('```sh\n# not a heading\n```\n').has('not-a-heading'));
  });
});

describe('code comments cite docs/', () => {
  const cited = [
    ...sourceFiles('lib', ['.ts']), ...sourceFiles('functions', ['.ts']), ...sourceFiles('scripts', ['.ts', '.mjs', '.cjs']),
    ...sourceFiles('local', ['.ts', '.yml']), 'serverless.yml', 'Dockerfile',
  ];

  it('every docs/ page (and section) they name exists', () => {
    const missing: string[] = [];
    let citations = 0;
    for (const file of cited) {
      for (const [, page = '', anchor] of read(file).matchAll(DOC_CITATION)) {
        citations++;
        const path = `docs/${page}`;
        if (!existsSync(join(PROJECT_ROOT, path))) missing.push(`${file}: ${path}`);
        else if (anchor !== undefined && !headingsOf(read(path)).has(anchor.slice(1))) missing.push(`${file}: ${path}${anchor}`);
      }
    }
    assert.ok(citations >= 10, `found ${citations} citations`);
    assert.deepEqual(missing, []);
  });

  it('none cites the spec, which lives outside the repository', () => {
    const spec = cited.filter((file) => /\bSPEC\s*§/.test(read(file)));
    assert.deepEqual(spec, [], 'cite the docs/ page that holds the fact');
  });
});

describe('docs/operations.md failure modes', () => {
  it('every test it names exists, under the name it gives', () => {
    const page = read('docs/operations.md');
    const start = page.indexOf('## Failure modes');
    assert.ok(start !== -1, 'docs/operations.md has a "Failure modes" section');
    const section = page.slice(start, page.indexOf('\n## ', start + 1));
    const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| fault'));
    assert.ok(rows.length >= 10, `${rows.length} rows`);
    const missing: string[] = [];
    for (const row of rows) {
      const proof = row.split(' | ').at(-1) ?? '';
      const references = [...proof.matchAll(/`(unit|integration|e2e)\/([\w-]+)`/g)];
      if (references.length === 0) missing.push(`no test named in: ${row.slice(0, 60)}`);
      references.forEach((reference, index) => {
        const [, dir = '', name = ''] = reference;
        const file = `test/${dir}/${name}.test.ts`;
        if (!existsSync(join(PROJECT_ROOT, file))) {
          missing.push(`${file}: no such file`);
          return;
        }
        const source = read(file);
        // The names quoted after a file, up to the next file, split at "…" (the elided parts).
        const rest = proof.slice((reference.index ?? 0) + reference[0].length, references[index + 1]?.index ?? proof.length);
        for (const [, quoted = ''] of rest.matchAll(/"([^"]+)"/g)) {
          for (const fragment of quoted.split('…').map((text) => text.trim()).filter((text) => text !== '')) {
            if (!source.includes(fragment)) missing.push(`${file}: "${fragment}"`);
          }
        }
      });
    }
    assert.deepEqual(missing, []);
  });
});
