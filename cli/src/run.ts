/**
 * The `bnwasm` program as a function: `run(argv, io)` parses the arguments, runs the command and
 * returns the exit code, writing only through `io`. main.ts calls it with the process's streams; the
 * tests and the soak call it in-process with collecting streams.
 */
import { Command, CommanderError, Option } from 'commander';
import { errorLine } from './errors.js';
import { columnNames, fraction, integer, layerSizes, positiveInteger, positiveNumber } from './options.js';
import type { Output } from './output.js';
import { DEFAULT_EPOCHS, MIN_DEFAULT_STEPS, TRAIN_DEFAULTS } from './train.js';

export interface Io {
  out: Output;
  /** A line on stderr (errors, commander's usage errors). */
  error(line: string): void;
  /** Text commander prints on stdout (--help). */
  help(text: string): void;
}

function program(io: Io): Command {
  const cli = new Command('bnwasm')
    .description('Batch-normalized neural networks on WASM SIMD: train and predict on CSV files, and see what batch normalization does.')
    .exitOverride()
    // commander's usage errors, as one line like ours (its help hint would be a second line)
    .configureOutput({
      writeOut: (text) => io.help(text),
      writeErr: (text) => io.error(text.trimEnd()),
      outputError: (text) => io.error(`${text.split('\n').filter(Boolean)[0].replace(/^error: /, 'bnwasm: ')} (see --help)`),
    });

  cli.command('train')
    .description('train a model on a CSV file (header row; comma, semicolon or tab separated) and save it to a directory')
    .argument('<file.csv>', 'training data')
    .requiredOption('--label <column>', 'the column to predict')
    .option('--epochs <n>', `passes over the training rows (default: ${DEFAULT_EPOCHS}, or more to make ${MIN_DEFAULT_STEPS} steps on a small classification table)`, positiveInteger)
    .option('--batch-size <n>', 'rows per training step', positiveInteger, TRAIN_DEFAULTS.batchSize)
    .addOption(new Option('--hidden <sizes>', 'hidden layer sizes, comma-separated').argParser(layerSizes).default([...TRAIN_DEFAULTS.hidden], TRAIN_DEFAULTS.hidden.join(',')))
    .option('--ignore <columns>', 'columns that are neither features nor the label (ids, names, text), comma-separated', columnNames)
    .option('--no-batchnorm', 'no BatchNormalization layers (the features are standardized instead)')
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['sgd', 'adam']).default(TRAIN_DEFAULTS.optimizer))
    .option('--learning-rate <lr>', 'learning rate (default: 0.01 for sgd, 0.001 for adam)', positiveNumber)
    .option('--validation-split <fraction>', 'fraction of rows held out (stratified, seeded) for validation', fraction, TRAIN_DEFAULTS.validationSplit)
    .addOption(new Option('--task <task>', 'default: inferred from the label column (see README)').choices(['classification', 'regression']))
    .option('--seed <n>', 'seed for the split, the initial weights and the batch order', integer, TRAIN_DEFAULTS.seed)
    .option('--out <dir>', 'where to save the model', TRAIN_DEFAULTS.out)
    .action(async (file: string, o) => {
      const { train } = await import('./train.js');
      await train(file, {
        label: o.label, ignore: o.ignore, epochs: o.epochs, batchSize: o.batchSize, hidden: o.hidden, batchNorm: o.batchnorm,
        optimizer: o.optimizer, learningRate: o.learningRate, validationSplit: o.validationSplit, task: o.task,
        seed: o.seed, out: o.out,
      }, io.out);
    });

  cli.command('predict')
    .description('predict with a model saved by `bnwasm train`; writes `prediction` and, for classification, one p_<label> column per class')
    .argument('<model-dir>', 'directory written by bnwasm train')
    .argument('<file.csv>', 'rows to predict (extra columns, such as the label, are ignored)')
    .option('--out <file>', "output CSV ('-' for stdout)", 'predictions.csv')
    .action(async (dir: string, file: string, o) => {
      const { predict } = await import('./predict.js');
      await predict(dir, file, { out: o.out }, io.out);
    });

  cli.command('experiment')
    .description('the batch-normalization experiments on the bundled UCI digits data: terminal table, report.md, figures (SVG + PNG), results.json')
    .option('--quick', 'a small version that runs in seconds (for tests)')
    .option('--out <dir>', 'report folder', 'bnwasm-report')
    .action(async (o) => {
      const { experiment } = await import('./experiment/index.js');
      await experiment({ quick: !!o.quick, out: o.out }, io.out);
    });
  return cli;
}

/** Runs one command line (`argv` without node and the script) and returns the exit code: 0, or 1 after one line on stderr. */
export async function run(argv: string[], io: Io): Promise<number> {
  try {
    await program(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1; // help/version (0) or a usage error already printed
    io.error(`bnwasm: ${errorLine(e)}`);
    if (process.env.BNWASM_DEBUG && e instanceof Error) io.error(`${e.stack}`);
    return 1;
  }
}
