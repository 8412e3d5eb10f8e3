/**
 * vitest globalSetup of the end-to-end tier: CDNOW's master and sample files imported to
 * Arrow once for the run by the built CLI (`rfm import cdnow`), for the tests that start
 * from them (inject('cdnowArrow')); each copies the file it reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { CLI } from '../support/cli.js';
import { cdnowMaster, cdnowSample } from '../support/data.js';

declare module 'vitest' {
  export interface ProvidedContext {
    cdnowArrow: string;
    cdnowSampleArrow: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'rfm-cdnow-'));
  const cdnow = join(dir, 'cdnow.arrow');
  const sample = join(dir, 'sample.arrow');
  execFileSync(process.execPath, [CLI, 'import', 'cdnow', cdnowMaster(), '-o', cdnow], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  execFileSync(process.execPath, [CLI, 'import', 'cdnow', cdnowSample(), '-o', sample], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  project.provide('cdnowArrow', cdnow);
  project.provide('cdnowSampleArrow', sample);
  return () => rmSync(dir, { recursive: true, force: true });
}
