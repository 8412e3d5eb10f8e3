#!/usr/bin/env node
/** The rfm command: one file per subcommand, wired here. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { exitOnError } from './errors.js';
import { generateCommand } from './generate.js';
import { importCommand } from './import.js';
import { replayCommand } from './replay.js';
import { exportCommand } from './export.js';
import { serveCommand } from './serve.js';
import { predictCommand } from './predict.js';
import { resolveDates, zoneFromExports } from './dates.js';

const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };

const program = new Command()
  .name('rfm')
  .description('rfmstream: customer segments (RFM) from order history, streamed through a WebAssembly kernel')
  .version(version)
  .showHelpAfterError('(rfm --help lists the commands and options)')
  // a usage error exits 2 like every other error of ours (commander's own is 1); help and
  // --version exit 0. Set before the subcommands, which inherit it.
  .exitOverride()
  // a date option means the end of that day in the command's --timezone (or the zone its cart
  // exports' offsets tell), known only now
  .hook('preAction', async (_program, command) => {
    await zoneFromExports(command);
    resolveDates(command);
  });

generateCommand(program);
replayCommand(program);
exportCommand(program);
predictCommand(program);
importCommand(program);
serveCommand(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  // commander has printed what was wrong
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  exitOnError(e);
});
