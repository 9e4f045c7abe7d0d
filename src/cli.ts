#!/usr/bin/env node
// `esc`: the ESC Studio core as a command-line tool, for CI and batch jobs. Same code as the editor.

import { parseArgs } from 'node:util';
import { chatCommand } from './cli/chat';
import { convertCommand } from './cli/convert';
import { detectCommand } from './cli/detect';
import { evalCommand } from './cli/eval';
import { inferCommand } from './cli/infer';
import { mineCommand } from './cli/mine';
import { serveConfigCommand } from './cli/serveConfig';
import { statsCommand } from './cli/stats';
import { trainConfigCommand } from './cli/trainConfig';
import { trainEmbeddedCommand } from './cli/trainEmbedded';
import { experimentJsonSchema } from './core/training/experiment';
import { validateCommand } from './cli/validate';
import { InputError, processIo, UsageError, type Io } from './cli/output';

const HELP = `esc — ESC Studio's command-line tool

Usage:
  esc detect <file> [--json]               kind, layout and record count of a dataset file
  esc validate <file> [--json] [--kind K]  check every record; exit 1 if any is invalid
  esc stats <file> [--json]                strategy counts, turn and length summaries
  esc eval <inference file>... [--json] [--format table|markdown|latex|csv] [--baseline N|file]
        [--judge SPEC [--rubrics <folder>] [--concurrency N] [--timeout S]]
                                           the paper's metrics: BLEU-1..4, Dist-1..3, F1, ROUGE-L,
                                           length (x100 over turns); strategy accuracy, weighted and
                                           macro F1, preference bias, error ratio; --judge: an LLM
                                           judge's 0-5 empathy, fluency, helpfulness, professionalism
                                           (rubrics media/judge/*.txt; resumable checkpoint; API key
                                           $ESC_JUDGE_API_KEY, else $ESC_API_KEY)
  esc infer <sft-vanilla file> --out <file> [--mode decoupled|vanilla|generator-gold]
        [--planner SPEC] [--generator SPEC] [--vanilla SPEC] [--concurrency N] [--limit N]
        [--retries N] [--timeout S] [--json]
                                           the paper's inference over a split (one request per
                                           supporter turn and role, gold history), written in the
                                           inference layout esc eval reads; resumable (checkpoint
                                           beside --out). SPEC as for esc chat; several URLs joined
                                           by "," spread the calls over replicas
  esc mine <sft-vanilla file> --out <dir> [--planner SPEC] [--generator SPEC] [--vanilla SPEC]
        [--judge SPEC [--judge-template FILE]] [--concurrency N] [--limit N] [--retries N]
        [--timeout S] [--json]
                                           Inferential Preference Mining: the given SFT models' answers
                                           over a split as preference pairs against the gold turns
                                           (planner-pairs.json, planner-same.json, generator-pairs.json,
                                           vanilla-pairs.json); --judge: each generator / vanilla pair's
                                           "remained" verdict and *-pairs.retained.json (template
                                           media/mine/retention.txt); resumable (checkpoint in --out).
                                           API keys: $ESC_API_KEY for the roles, $ESC_JUDGE_API_KEY
                                           for the judge (each else "EMPTY"; never the other's)
  esc train-config <experiment.yaml> --out <dir> [--backend llamafactory|trl]
        [--launcher local|torchrun|slurm] [--cli <path>] [--activate "<shell line>"]
                                           every stage's config and script, dataset_info.json
  esc serve-config <experiment.yaml> --out <dir> [--stages planner-dpo,generator-dpo,vanilla-dpo]
        [--engine vllm|llamafactory] [--launcher local|slurm] [--merged] [--ports planner=8000,...]
        [--port-planner N] [--port-generator N] [--port-vanilla N] [--cli <path>] [--export-cli <path>]
        [--activate "<shell line>"] [--json]
                                           a script per served role (serve-<role>.sh, .sbatch) that
                                           serves the trained stage (default: each chain's DPO, else
                                           SFT) on the paper's ports 8000/8001 (vanilla 8002); prints
                                           each endpoint and the model name requests carry
  esc train-embedded --train <file> [--pref <file>] [--test <file>] --out <dir> [--beta B] [--json]
                                           retrain the Playground's embedded planner (SFT, then DPO)
                                           and retrieval generator; held-out planner scores
  esc convert esconv <ESConv.json> --out <dir> [--split 0.8,0.1,0.1] [--seed N] [--format json|jsonl]
        [--layout sharegpt|trl] [--register <dataset_info.json>] [--force] [--force-register] [--json]
                                           ESConv -> vanilla, planner and generator SFT files per
                                           split (the paper's prompts; seeded dialogue-level split;
                                           off-list and loosely written labels mapped and counted);
                                           --register merges an entry per file into a LLaMA-Factory
                                           dataset_info.json; --force replaces files in --out,
                                           --force-register repoints entries naming other files
  esc convert decouple <sft-vanilla file> --out <dir> [--format json|jsonl] [--register <file>] [--force] [--force-register]
                                           the planner and generator SFT files of a vanilla file
                                           (FORMATS.md §7 requests + the gold answer)
  esc chat "<seeker text>" [--planner SPEC] [--generator SPEC] [--vanilla SPEC]
        [--mode decoupled|vanilla|compare] [--history FILE] [--engine onnxruntime|typescript] [--json]
                                           one supporter turn: strategy probabilities, reply, latencies.
                                           SPEC: embedded (default), embedded:<folder>, or an
                                           OpenAI-compatible http://host:8000/v1[#model] ($ESC_API_KEY)
  esc --help | --version

Kinds: esconv, sft-vanilla, sft-planner, sft-generator, pref-planner, pref-generator,
pref-vanilla, inference, error-stats (JSON arrays or JSON Lines).
Exit codes: 0 ok, 1 invalid or unparseable data, 2 usage or input error.`;

declare const ESC_VERSION: string | undefined;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        kind: { type: 'string' },
        out: { type: 'string' },
        backend: { type: 'string' },
        launcher: { type: 'string' },
        cli: { type: 'string' },
        activate: { type: 'string' },
        stages: { type: 'string' },
        merged: { type: 'boolean', default: false },
        ports: { type: 'string' },
        'port-planner': { type: 'string' },
        'port-generator': { type: 'string' },
        'port-vanilla': { type: 'string' },
        'export-cli': { type: 'string' },
        train: { type: 'string' },
        pref: { type: 'string' },
        test: { type: 'string' },
        beta: { type: 'string' },
        planner: { type: 'string' },
        generator: { type: 'string' },
        vanilla: { type: 'string' },
        mode: { type: 'string' },
        history: { type: 'string' },
        engine: { type: 'string' },
        format: { type: 'string' },
        baseline: { type: 'string' },
        judge: { type: 'string' },
        'judge-template': { type: 'string' },
        rubrics: { type: 'string' },
        concurrency: { type: 'string' },
        limit: { type: 'string' },
        retries: { type: 'string' },
        timeout: { type: 'string' },
        split: { type: 'string' },
        seed: { type: 'string' },
        layout: { type: 'string' },
        register: { type: 'string' },
        force: { type: 'boolean', default: false },
        'force-register': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
    const [command, ...rest] = positionals;
    if (values.version) {
      io.out(typeof ESC_VERSION === 'string' ? ESC_VERSION : 'dev');
      return 0;
    }
    if (values.help || command === undefined || command === 'help') {
      io.out(HELP);
      return command === undefined && !values.help ? 2 : 0;
    }
    switch (command) {
      case 'detect':
        return await detectCommand(rest, values.json, io);
      case 'validate':
        return await validateCommand(rest, values.json, values.kind, io);
      case 'stats':
        return await statsCommand(rest, values.json, io);
      case 'eval':
        return await evalCommand(rest, values.json, values.format, io, values.baseline, values);
      case 'infer':
        return await inferCommand(rest, values, values.json, io);
      case 'mine':
        return await mineCommand(rest, values, values.json, io);
      case 'schema':
        // the experiment file's JSON schema (written to media/ at build time for editor completion)
        io.out(JSON.stringify(experimentJsonSchema(), null, 2));
        return 0;
      case 'train-config':
        return await trainConfigCommand(rest, values, values.json, io);
      case 'serve-config':
        return await serveConfigCommand(rest, values, values.json, io);
      case 'convert':
        return await convertCommand(rest, values, values.json, io);
      case 'chat':
        return await chatCommand(rest, values, values.json, io);
      case 'train-embedded':
        return await trainEmbeddedCommand(values, values.json, io);
      default:
        throw new UsageError(`esc: unknown command ${JSON.stringify(command)} (see esc --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError) {
      io.err(err.message);
      return 2;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      io.err(`esc: ${(err as Error).message} (see esc --help)`);
      return 2;
    }
    if (code === 'EISDIR' || code === 'EACCES' || code === 'ENOENT') {
      io.err(`esc: ${(err as Error).message}`);
      return 2;
    }
    throw err; // a bug: keep the stack trace
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`esc: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
