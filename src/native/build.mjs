// Builds build/huge-pages.node from huge-pages.c (npm run build:native, part of npm install).
// Linux only, with the C compiler and Node's headers the machine has; without them the
// engine runs as before, in 4 KiB pages, and this says so instead of failing the install.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(root, 'build', 'huge-pages.node');
const skip = (why) => {
  process.stderr.write(`rfmstream: the huge-pages helper was not built (${why}); the kernel runs in 4 KiB pages\n`);
  process.exit(0);
};

if (process.platform !== 'linux') skip('it is for Linux');
const headers = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
].find((dir) => dir && existsSync(join(dir, 'node_api.h')));
if (!headers) skip("Node's headers (node_api.h) were not found next to the node binary");
mkdirSync(dirname(out), { recursive: true });
try {
  execFileSync(
    process.env.CC ?? 'cc',
    ['-O2', '-shared', '-fPIC', `-I${headers}`, join(here, 'huge-pages.c'), '-o', out],
    { stdio: ['ignore', 'inherit', 'pipe'] },
  );
} catch (e) {
  skip(
    `the C compiler failed or is missing: ${
      String(e.stderr ?? e.message)
        .trim()
        .split('\n')[0]
    }`,
  );
}
