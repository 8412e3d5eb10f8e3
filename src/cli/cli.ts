#!/usr/bin/env node
/** The rfm command: one file per subcommand, wired here. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { exitOnError } from './errors.js';
import { resolveDates, zoneFromExports } from './dates.js';

type Register = (program: Command) => void;

// Each subcommand's module is loaded only when it is the one run: a command's imports (the
// server's ws, the report's d3-sankey, the parquet reader...) are most of a short run's start.
// Help and a mistyped command load them all, so help lists every command; --version none.
const COMMANDS: Record<string, () => Promise<Register[]>> = {
  generate: async () => [(await import('./generate.js')).generateCommand],
  replay: async () => [(await import('./replay.js')).replayCommand],
  report: async () => [(await import('./replay.js')).replayCommand],
  export: async () => [(await import('./export.js')).exportCommand],
  predict: async () => [(await import('./predict.js')).predictCommand],
  import: async () => [(await import('./import.js')).importCommand],
  serve: async () => [(await import('./serve.js')).serveCommand],
  demo: async () => [(await import('./serve.js')).serveCommand],
  publish: async () => [(await import('./publish.js')).publishCommand],
  node: async () => [(await import('./node.js')).nodeCommand],
};

async function allCommands(): Promise<Register[]> {
  const seen = new Set<Register>();
  for (const load of Object.values(COMMANDS)) for (const r of await load()) seen.add(r);
  return [...seen];
}

async function main(argv: string[]): Promise<void> {
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
  const name = argv[2] ?? '';
  const registers = Object.hasOwn(COMMANDS, name)
    ? await COMMANDS[name]()
    : name === '--version' || name === '-V'
      ? []
      : await allCommands();
  for (const register of registers) register(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((e: unknown) => {
  // commander has printed what was wrong
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  exitOnError(e);
});
