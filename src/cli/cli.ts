#!/usr/bin/env node
/** The rfm command: one file per subcommand, wired here. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { exitOnError } from './errors.js';
import { generateCommand } from './generate.js';
import { importCommand } from './import.js';
import { replayCommand } from './replay.js';
import { serveCommand } from './serve.js';

const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };

const program = new Command()
  .name('rfm')
  .description('rfmstream: customer segments (RFM) from order history, streamed through a WebAssembly kernel')
  .version(version)
  .showHelpAfterError('(rfm --help lists the commands and options)');

generateCommand(program);
replayCommand(program);
importCommand(program);
serveCommand(program);

program.parseAsync(process.argv).catch(exitOnError);
