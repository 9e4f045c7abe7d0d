// The embedded models on disk: a folder with planner.onnx, bank.json (the retrieval generator's
// responses with the contexts they answered and their positions; the sparse index is built from it
// on load) and manifest.json (what they were trained on, and how well the planner did). The shipped default is built from demo/ at build time; `esc train-embedded` and
// `ESC: Train Embedded Models from Dataset` write the same layout into the user's workspace.

import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as z from 'zod';
import { STRATEGIES } from '../strategies';
import { FEATURE_BITS } from './features';
import { plannerGraph, plannerWeights } from './onnxGraphs';
import { PlannerModel } from './plannerModel';
import { buildBank, type BankResponse, type ResponseBank } from './retrieval';

/**
 * Format 2: BM25 retrieval over the stored contexts and positions. Format 1 (a dense [N, 512] bank in
 * generator.onnx, no positions) is recognised and refused with the command that retrains it.
 */
export const MODEL_FORMAT = 'esc-studio-embedded/2';
const OLDER_FORMATS = ['esc-studio-embedded/1'];
/** Files an older format wrote: a retrain may replace a folder that holds them. */
const OLDER_FILES = ['generator.onnx'];
/** Where the shipped default models are, relative to the bundles' folder (dist/; scripts/build.mjs writes them). */
export const DEFAULT_MODELS_SUBDIR = ['models', 'default'] as const;
export const FILES = { manifest: 'manifest.json', planner: 'planner.onnx', bank: 'bank.json' } as const;

const scores = z.object({ accuracy: z.number(), weighted_f1: z.number(), macro_f1: z.number() });
const manifestSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  createdBy: z.string(),
  featureBits: z.literal(FEATURE_BITS),
  strategies: z.array(z.string()),
  planner: z.object({
    stages: z.enum(['sft', 'sft+dpo']),
    beta: z.number().optional(),
    pairs: z.number().int(),
    pairSource: z.enum(['file', 'mined', 'none']),
  }),
  generator: z.object({ responses: z.number().int() }),
  training: z.object({
    /** The training file's name. */
    train: z.string(),
    /**
     * What the training data is, in a user's words, said instead of `train` where the models are
     * described: the shipped default's is written by the build (scripts/build.mjs), whose training
     * file is one it joined and does not ship; a training from the user's own file has none.
     */
    about: z.string().optional(),
    pref: z.string().optional(),
    test: z.string().optional(),
    trainTurns: z.number().int(),
    testTurns: z.number().int(),
    testSource: z.enum(['file', 'held-out']),
  }),
  metrics: z.object({ majority: scores.extend({ strategy: z.string() }), sft: scores, dpo: scores }).optional(),
});
export type Manifest = z.infer<typeof manifestSchema>;

const turnSchema = z.object({ speaker: z.enum(['seeker', 'supporter']), text: z.string() });
const bankFileSchema = z.object({
  responses: z.array(
    z.object({
      text: z.string(),
      strategy: z.enum(STRATEGIES),
      /** The turns it answered, oldest first. */
      context: z.array(turnSchema),
      turn: z.number().int().min(0),
      fromEnd: z.number().int().min(-1),
    }),
  ),
});

export interface EmbeddedModels {
  dir: string;
  manifest: Manifest;
  planner: PlannerModel;
  bank: ResponseBank;
  plannerOnnx: Uint8Array;
}

/** Reads a model folder; every failure names the folder and the file. */
export async function loadEmbeddedModels(dir: string): Promise<EmbeddedModels> {
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await readFile(path.join(dir, name));
    } catch (e) {
      throw new Error(
        `Embedded models in ${dir}: cannot read ${name} (${(e as NodeJS.ErrnoException).code ?? String(e)}). Train them again with "ESC: Train Embedded Models from Dataset".`,
        { cause: e },
      );
    }
  };
  const parseJson = (name: string, bytes: Buffer): unknown => {
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new Error(`Embedded models in ${dir}: ${name} is not valid JSON (${(e as Error).message}).`, { cause: e });
    }
  };
  const raw = parseJson(FILES.manifest, await read(FILES.manifest));
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === 'string' && OLDER_FORMATS.includes(format)) {
    throw new Error(
      `Embedded models in ${dir} were written by an older ESC Studio (format ${format}, dense retrieval without dialogue positions). Retrain them with "esc train-embedded --train <file> --out ${dir}" or "ESC: Train Embedded Models from Dataset".`,
    );
  }
  const manifest = manifestSchema.safeParse(raw);
  if (!manifest.success) {
    throw new Error(
      `Embedded models in ${dir}: ${FILES.manifest} is not an ESC Studio model manifest (${manifest.error.issues[0]?.message}).`,
    );
  }
  // ids 0..7 index the weights and the bank: a different order would silently mislabel every strategy
  if (manifest.data.strategies.join('|') !== STRATEGIES.join('|')) {
    throw new Error(
      `Embedded models in ${dir}: ${FILES.manifest} lists the strategies ${JSON.stringify(manifest.data.strategies)}, not the 8 in ESC Studio's order.`,
    );
  }
  const [plannerOnnx, bankJson] = await Promise.all([read(FILES.planner), read(FILES.bank)]);
  const bankFile = bankFileSchema.safeParse(parseJson(FILES.bank, bankJson));
  if (!bankFile.success) {
    throw new Error(`Embedded models in ${dir}: ${FILES.bank} does not list responses (${bankFile.error.issues[0]?.message}).`);
  }
  let planner: PlannerModel;
  try {
    planner = new PlannerModel(plannerWeights(plannerOnnx));
  } catch (e) {
    throw new Error(`Embedded models in ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const responses = bankFile.data.responses;
  if (responses.length !== manifest.data.generator.responses) {
    throw new Error(
      `Embedded models in ${dir}: ${FILES.bank} lists ${responses.length} responses but ${FILES.manifest} says ${manifest.data.generator.responses}; the files come from different trainings.`,
    );
  }
  return {
    dir,
    manifest: manifest.data,
    planner,
    bank: buildBank(responses.map((r) => ({ ...r, strategy: STRATEGIES.indexOf(r.strategy) }))),
    plannerOnnx,
  };
}

/**
 * The output folder is replaced as a whole, so it must be missing, empty, or a model folder already:
 * never a project folder someone typed by mistake ("." or "data").
 */
export async function assertReplaceable(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new Error(`${dir} is a file; the embedded models need a folder of their own.`, { cause: e });
    throw e;
  }
  if (entries.length === 0) return;
  // only a folder that holds our files and nothing else is replaced: a note kept beside them survives
  const foreign = entries.filter((e) => !(Object.values(FILES) as string[]).includes(e) && !OLDER_FILES.includes(e));
  let format: unknown;
  try {
    format = (JSON.parse(await readFile(path.join(dir, FILES.manifest), 'utf8')) as { format?: unknown }).format;
  } catch {
    format = undefined;
  }
  if (format !== MODEL_FORMAT && !OLDER_FORMATS.includes(format as string)) {
    throw new Error(
      `${dir} already holds other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}) and is not an embedded-models folder; it would be replaced as a whole. Choose a new or empty folder.`,
    );
  }
  if (foreign.length > 0) {
    throw new Error(
      `${dir} is an embedded-models folder but also holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}, which retraining would delete with the folder. Move them out, or choose another folder.`,
    );
  }
}

/**
 * Writes a model folder as a whole: into a fresh sibling temporary folder first, then swapped in, so
 * a failure or a reader never sees a half-written set; if the swap fails, the previous set is put
 * back.
 */
export async function writeEmbeddedModels(
  target: string,
  planner: PlannerModel,
  responses: readonly BankResponse[],
  manifest: Manifest,
): Promise<void> {
  // resolved: "out/" would otherwise put the temporary folder inside the target
  const dir = path.resolve(target);
  await assertReplaceable(dir);
  await mkdir(path.dirname(dir), { recursive: true });
  // unique per writer (worker threads share a pid): concurrent trainings never share a folder
  const tmp = await mkdtemp(`${dir}.tmp-`);
  const old = `${dir}.old-${randomUUID()}`;
  let hadOld = false;
  try {
    const bankJson = { responses: responses.map((r) => ({ ...r, strategy: STRATEGIES[r.strategy]! })) };
    await writeFile(path.join(tmp, FILES.planner), plannerGraph(planner.weights));
    await writeFile(path.join(tmp, FILES.bank), JSON.stringify(bankJson) + '\n');
    // the manifest's count is the bank's, whatever the caller's manifest said (a load checks the two agree)
    const counted: Manifest = { ...manifest, generator: { ...manifest.generator, responses: responses.length } };
    await writeFile(path.join(tmp, FILES.manifest), JSON.stringify(counted, null, 2) + '\n');
    try {
      await rename(dir, old);
      hadOld = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    // the previous models go back where they were; if another writer has put a set there meanwhile,
    // that set stays and the previous one is dropped rather than left behind as a stray folder
    if (hadOld) {
      await rename(old, dir).catch(async () => {
        if (
          await readFile(path.join(dir, FILES.manifest)).then(
            () => true,
            () => false,
          )
        ) {
          await rm(old, { recursive: true, force: true });
        }
      });
    }
    throw e;
  }
  // the new set is in place: failing to delete the old one is not a failed training
  if (hadOld) await rm(old, { recursive: true, force: true }).catch(() => undefined);
}
