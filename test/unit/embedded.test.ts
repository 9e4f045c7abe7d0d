// The embedded backend end to end: the ONNX graphs give the TypeScript forward pass's numbers on real
// dialogues, model folders round-trip and are reproducible byte for byte, training reads every
// training layout, and bad model folders get clear errors.

import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEngines, EmbeddedGenerator, EmbeddedJoint, EmbeddedPlanner } from '../../src/core/embedded/backend';
import { FILES, loadEmbeddedModels, type EmbeddedModels } from '../../src/core/embedded/modelFolder';
import { contextFeatures } from '../../src/core/embedded/features';
import { trainEmbedded } from '../../src/core/embedded/trainEmbedded';
import { readExamples } from '../../src/core/embedded/trainingData';
import { turnsOfFlattened } from '../../src/core/dialogue/requests';
import { flattenHistory } from '../../src/core/convert/esconvToSft';
import { chatHistory } from '../../src/core/dialogue/requests';
import { STRATEGIES } from '../../src/core/strategies';
import { DEMO_DATA, REPO_ROOT, sharedData, sharedFile } from './helpers';

const tmp = mkdtempSync(path.join(tmpdir(), 'esc-embedded-'));
/** The models `npm run build` trains for the Playground's default (scripts/build.mjs). */
const SHIPPED_MODELS = path.join(REPO_ROOT, 'dist', 'models', 'default');
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('embedded models trained on the real validation split', () => {
  let models: EmbeddedModels;
  before(async () => {
    if (sharedData.skip) return; // the tests below say so, once each
    const report = await trainEmbedded({
      train: sharedFile('ESC_sft_val.json'),
      test: sharedFile('ESC_sft_test.json'),
      out: path.join(tmp, 'val'),
    });
    assert.ok(
      report.sft.accuracy > report.majority.accuracy && report.dpo.accuracy > report.majority.accuracy,
      'both beat the majority class',
    );
    models = await loadEmbeddedModels(path.join(tmp, 'val'));
  });

  it(
    'the ONNX planner gives the TypeScript forward pass’s numbers (within 1e-5) on real test dialogues',
    { skip: sharedData.skip },
    async () => {
      const onnx = await createEngines(models, 'onnxruntime');
      const ts = await createEngines(models, 'typescript');
      assert.equal(onnx.engine, 'onnxruntime', onnx.fallbackReason);
      const test = (await readExamples(sharedFile('ESC_sft_test.json'))).examples.filter((_, i) => i % 9 === 0);
      assert.ok(test.length > 150);
      let maxP = 0;
      for (const e of test) {
        const x = contextFeatures(e.context);
        const [a, b] = [await onnx.planner(x), await ts.planner(x)];
        for (let c = 0; c < 8; c++) maxP = Math.max(maxP, Math.abs(a[c]! - b[c]!));
      }
      assert.ok(maxP < 1e-5, `planner max difference ${maxP}`);
    },
  );

  it(
    'the backends answer a real dialogue: probabilities over all 8, a retrieved reply of the planned strategy, not one already said',
    { skip: sharedData.skip },
    async () => {
      const engines = await createEngines(models);
      const planner = new EmbeddedPlanner(models, engines);
      const generator = new EmbeddedGenerator(models, engines);
      const e = (await readExamples(sharedFile('ESC_sft_test.json'))).examples[40]!;
      const plan = await planner.plan(e.context);
      assert.deepEqual(Object.keys(plan.probabilities!), [...STRATEGIES]);
      assert.ok(Math.abs(Object.values(plan.probabilities!).reduce((a, b) => a + b, 0) - 1) < 1e-5);
      assert.equal(plan.strategy, STRATEGIES[Object.values(plan.probabilities!).indexOf(Math.max(...Object.values(plan.probabilities!)))]);
      let reply = '';
      for await (const chunk of generator.generate(e.context, plan.strategy)) reply += chunk;
      const idx = models.bank.texts.indexOf(reply);
      assert.ok(idx >= 0, 'the reply comes from the bank');
      assert.equal(STRATEGIES[models.bank.strategies[idx]!], plan.strategy);
      // say it once; asked again with it in the history, the generator moves on to another response
      let again = '';
      for await (const chunk of generator.generate(
        [...e.context, { speaker: 'supporter', text: reply }, { speaker: 'seeker', text: e.context.at(-1)!.text }],
        plan.strategy,
      )) {
        again += chunk;
      }
      assert.notEqual(again, reply);
      let joint = '';
      for await (const chunk of new EmbeddedJoint(models, engines).respond(e.context)) joint += chunk;
      assert.match(
        joint,
        /^\[(Question|Restatement or Paraphrasing|Reflection of feelings|Self-disclosure|Affirmation and Reassurance|Providing Suggestions|Information|Others)\] \S/,
      );
    },
  );
});

describe('embedded model folders', () => {
  it('are reproducible: the same data gives byte-identical files (the build ships them)', async () => {
    const opts = { train: path.join(DEMO_DATA, 'esconv_demo.json'), pref: path.join(DEMO_DATA, 'pref_planner_demo.json') };
    const a = await trainEmbedded({ ...opts, out: path.join(tmp, 'a') });
    const b = await trainEmbedded({ ...opts, out: path.join(tmp, 'b') });
    assert.deepEqual(a.dpo, b.dpo);
    assert.equal(a.counts.pairSource, 'file');
    for (const f of Object.values(FILES)) {
      assert.ok(readFileSync(path.join(tmp, 'a', f)).equals(readFileSync(path.join(tmp, 'b', f))), `${f} differs`);
    }
  });

  it('train from every training layout: ESConv, vanilla SFT (sharegpt too), generator SFT, and planner SFT (planner only: a clear error for the bank)', async () => {
    for (const f of ['esconv_demo.json', 'sft_vanilla_demo.json', 'sft_vanilla_sharegpt.json', 'sft_generator_demo.json']) {
      const r = await trainEmbedded({ train: path.join(DEMO_DATA, f), out: path.join(tmp, f) });
      assert.ok(r.counts.trainTurns > 40 && r.counts.bank > 40, `${f}: ${JSON.stringify(r.counts)}`);
    }
    await assert.rejects(
      trainEmbedded({ train: path.join(DEMO_DATA, 'sft_planner_demo.jsonl'), out: path.join(tmp, 'p') }),
      /no supporter replies/,
    );
    await assert.rejects(
      trainEmbedded({ train: path.join(DEMO_DATA, 'pref_planner_demo.json'), out: path.join(tmp, 'q') }),
      /train the embedded models from ESConv/,
    );
    await assert.rejects(
      trainEmbedded({
        train: path.join(DEMO_DATA, 'esconv_demo.json'),
        pref: path.join(DEMO_DATA, 'pref_generator_demo.json'),
        out: path.join(tmp, 'r'),
      }),
      /must hold planner pairs/,
    );
  });

  it('a planner SFT history round-trips through flattening', () => {
    const turns = [
      { speaker: 'seeker' as const, text: 'first line\nsecond line' },
      { speaker: 'supporter' as const, text: 'I hear you.' },
      { speaker: 'seeker' as const, text: 'thanks' },
    ];
    assert.deepEqual(turnsOfFlattened(flattenHistory(chatHistory(turns, false))), turns);
  });

  it("the planner's note names a user's training file, and says what the data is when the manifest does (the shipped models)", async () => {
    const dir = path.join(tmp, 'about');
    await trainEmbedded({
      train: path.join(DEMO_DATA, 'esconv_demo.json'),
      pref: path.join(DEMO_DATA, 'pref_planner_demo.json'),
      out: dir,
    });
    const note = async (): Promise<string> => {
      const models = await loadEmbeddedModels(dir);
      return new EmbeddedPlanner(models, await createEngines(models, 'typescript')).note;
    };
    assert.match(await note(), /^planner trained on esconv_demo\.json \(\d+ turns; DPO on \d+ pairs from pref_planner_demo\.json\)$/);
    const manifest = JSON.parse(readFileSync(path.join(dir, FILES.manifest), 'utf8')) as { training: Record<string, unknown> };
    manifest.training.about = 'the demo corpus: 12 dialogues written for ESC Studio';
    writeFileSync(path.join(dir, FILES.manifest), JSON.stringify(manifest));
    assert.match(await note(), /^planner trained on the demo corpus: 12 dialogues written for ESC Studio \(\d+ turns; /);
  });

  it(
    'the shipped models say they were trained on the demo corpus, with its number of dialogues, not on the file the build joined',
    { skip: !existsSync(path.join(SHIPPED_MODELS, FILES.manifest)) && 'run npm run build for dist/models/default' },
    async () => {
      // the corpus as demo/README.md describes it: the demo file's dialogues and the hand-written ones
      const sources = path.join(REPO_ROOT, 'demo', 'sources', 'dialogues');
      const files = [path.join(DEMO_DATA, 'esconv_demo.json'), ...readdirSync(sources).map((f) => path.join(sources, f))];
      const dialogues = files.reduce((n, f) => n + (JSON.parse(readFileSync(f, 'utf8')) as unknown[]).length, 0);
      const models = await loadEmbeddedModels(SHIPPED_MODELS);
      const { note } = new EmbeddedPlanner(models, await createEngines(models, 'typescript'));
      assert.ok(note.startsWith(`planner trained on the demo corpus: ${dialogues} dialogues written for ESC Studio (`), note);
      assert.doesNotMatch(note, /demo-corpus/);
    },
  );

  it('a damaged folder gets an error naming the file', async () => {
    const dir = path.join(tmp, 'damaged');
    await trainEmbedded({ train: path.join(DEMO_DATA, 'esconv_demo.json'), out: dir });
    const bank = readFileSync(path.join(dir, FILES.bank), 'utf8');
    writeFileSync(path.join(dir, FILES.bank), bank.slice(0, 100));
    await assert.rejects(loadEmbeddedModels(dir), /bank\.json is not valid JSON/);
    writeFileSync(path.join(dir, FILES.bank), JSON.stringify({ responses: [] }));
    await assert.rejects(loadEmbeddedModels(dir), /lists 0 responses but manifest\.json says \d+/);
    rmSync(path.join(dir, FILES.planner));
    await assert.rejects(loadEmbeddedModels(dir), /cannot read planner\.onnx \(ENOENT\)/);
    await assert.rejects(loadEmbeddedModels(path.join(tmp, 'nowhere')), /cannot read manifest\.json/);
  });

  it('never replaces a folder that is not a model folder; "out/" with a trailing slash works; a retrain replaces its own folder', async () => {
    const opts = { train: path.join(DEMO_DATA, 'esconv_demo.json') };
    const project = path.join(tmp, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'important.json'), '[]');
    await assert.rejects(
      trainEmbedded({ ...opts, out: project }),
      /already holds other files \(important\.json\) and is not an embedded-models folder/,
    );
    assert.equal(readFileSync(path.join(project, 'important.json'), 'utf8'), '[]', 'untouched');
    const slashed = path.join(tmp, 'slashed') + path.sep;
    await trainEmbedded({ ...opts, out: slashed });
    await trainEmbedded({ ...opts, out: slashed });
    assert.deepEqual(readdirSync(path.join(tmp, 'slashed')).sort(), Object.values(FILES).sort());
    assert.ok(!readdirSync(tmp).some((f) => /\.(tmp|old)-/.test(f)), 'no temporary folders left');
    // a note kept in a model folder is never deleted with it; the refusal comes before any training
    writeFileSync(path.join(tmp, 'slashed', 'NOTES.md'), 'mine');
    let progressed = 0;
    await assert.rejects(trainEmbedded({ ...opts, out: slashed, onProgress: () => progressed++ }), /also holds NOTES\.md/);
    assert.equal(progressed, 0, 'refused before reading the data');
    assert.equal(readFileSync(path.join(tmp, 'slashed', 'NOTES.md'), 'utf8'), 'mine');
  });

  it(
    'a cancel during training is honoured at the next stage and leaves the previous models as they were',
    { skip: sharedData.skip },
    async () => {
      const out = path.join(tmp, 'cancel');
      await trainEmbedded({ train: path.join(DEMO_DATA, 'esconv_demo.json'), out });
      const before = readFileSync(path.join(out, FILES.planner));
      const abort = new AbortController();
      const stages: string[] = [];
      await assert.rejects(
        trainEmbedded({
          train: sharedFile('ESC_sft_val.json'),
          out,
          signal: abort.signal,
          onProgress: (m) => {
            stages.push(m);
            if (m.startsWith('Planner SFT')) abort.abort();
          },
        }),
        (e: Error) => e.name === 'AbortError',
      );
      assert.ok(!stages.some((m) => m.startsWith('Writing')), stages.join(' / '));
      assert.ok(readFileSync(path.join(out, FILES.planner)).equals(before), 'the previous models are untouched');
    },
  );

  it('a folder whose files disagree is refused at load, naming the file', async () => {
    const dir = path.join(tmp, 'disagree');
    await trainEmbedded({ train: path.join(DEMO_DATA, 'esconv_demo.json'), out: dir });
    const manifest = JSON.parse(readFileSync(path.join(dir, FILES.manifest), 'utf8')) as { strategies: string[] };
    writeFileSync(path.join(dir, FILES.manifest), JSON.stringify({ ...manifest, strategies: [...manifest.strategies].reverse() }));
    await assert.rejects(loadEmbeddedModels(dir), /manifest\.json lists the strategies .* not the 8 in ESC Studio's order/);
    writeFileSync(path.join(dir, FILES.manifest), JSON.stringify(manifest));
    // a folder of format 1 (dense generator.onnx) is recognised and refused with the command that retrains it
    writeFileSync(path.join(dir, FILES.manifest), JSON.stringify({ ...manifest, format: 'esc-studio-embedded/1' }));
    writeFileSync(path.join(dir, 'generator.onnx'), '');
    await assert.rejects(
      loadEmbeddedModels(dir),
      /older ESC Studio \(format esc-studio-embedded\/1.*Retrain them with "esc train-embedded/,
    );
    // and a retrain replaces it as a whole, generator.onnx included
    await trainEmbedded({ train: path.join(DEMO_DATA, 'esconv_demo.json'), out: dir });
    assert.deepEqual(readdirSync(dir).sort(), Object.values(FILES).sort());
    await loadEmbeddedModels(dir);
  });
});
