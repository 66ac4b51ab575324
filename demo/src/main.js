import * as bw from 'bnwasm';
import { createCharts } from './charts.js';
import { loadDigits } from './data.js';
import { drawPreview, Pad } from './pad.js';
import { ARCHITECTURES, MODELS, Trainer } from './trainer.js';
import './style.css';

const $ = (sel) => document.querySelector(sel);
const fmt = (v) => (!Number.isFinite(v) ? '–' : v >= 0.01 ? v.toFixed(3) : v.toPrecision(2));
const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–');
const UI_MS = 100; // how often numbers and charts redraw while training

async function main() {
  document.body.dataset.state = 'loading';
  await bw.ready(); // compiles the inlined WASM; falls back to the JS kernels without SIMD
  showEngine();

  const data = await loadDigits(new URL('digits.csv', document.baseURI).href);
  $('#heldout-note').textContent = `${data.test.n} digits never trained on`;

  const charts = createCharts($('#loss-chart'), $('#acc-chart'), MODELS);
  let lastDraw = 0;
  const trainer = new Trainer(data, (t) => {
    const now = performance.now();
    if (t.running && now - lastDraw < UI_MS) return;
    lastDraw = now;
    render(t);
  });

  const render = (t) => {
    for (const m of MODELS) $(`#arch-${m.key}`).textContent = ARCHITECTURES[t.architecture].summary(m.batchNorm);
    document.body.dataset.model = t.architecture;
    $('#epoch').textContent = String(t.epoch + 1);
    $('#steps').textContent = t.steps.toLocaleString('en-US');
    const rate = $('#rate');
    rate.textContent = t.running && t.rate > 0 ? Math.round(t.rate).toLocaleString('en-US') : '–';
    rate.dataset.value = String(Math.round(t.rate));
    for (const r of t.runs) {
      const acc = $(`#acc-${r.key}`);
      acc.textContent = pct(r.accuracy);
      acc.dataset.value = Number.isFinite(r.accuracy) ? String(r.accuracy) : '';
      $(`#loss-${r.key}`).textContent = fmt(r.loss);
      const status = $(`#status-${r.key}`);
      status.classList.toggle('bad', !!r.diverged);
      status.textContent = r.diverged
        ? `Diverged at step ${r.diverged.step} (the loss became NaN). Lower the learning rate and reset.`
        : bestNote(r);
    }
    charts.update(t.runs);
    trainButton.textContent = t.running ? 'Pause' : t.steps > 0 ? 'Resume training' : 'Start training';
    document.body.dataset.state = t.running ? 'training' : 'idle';
    if (t.running) predict();
  };
  const bestNote = (r) => {
    if (r.accPoints.length < 2) return ' ';
    const best = r.accPoints.reduce((a, p) => (p.y > a.y ? p : a));
    return `best ${pct(best.y)} at epoch ${best.x.toFixed(1)}`;
  };

  // controls
  const trainButton = $('#train');
  trainButton.addEventListener('click', () => {
    if (trainer.running) trainer.pause();
    else trainer.start();
    render(trainer);
  });
  $('#reset').addEventListener('click', () => {
    trainer.reset();
    render(trainer);
    predict();
  });
  for (const input of document.querySelectorAll('input[name=backend]')) {
    input.addEventListener('change', () => {
      bw.setBackend(input.value);
      trainer.rateWindow = [];
      showEngine();
    });
  }
  for (const input of document.querySelectorAll('input[name=model]')) {
    input.addEventListener('change', () => {
      trainer.setArchitecture(input.value); // a new pair of untrained networks; training stops
      render(trainer);
      predict();
    });
  }
  $('#lr').addEventListener('change', (e) => trainer.setLearningRate(Number(e.target.value)));
  $('#batch').addEventListener('change', (e) => trainer.setBatchSize(Number(e.target.value)));

  // drawing and predictions
  const table = $('#probs'), tbody = table.querySelector('tbody');
  for (let d = 0; d < 10; d++) {
    const tr = document.createElement('tr');
    tr.dataset.digit = String(d);
    tr.innerHTML = `<td>${d}</td>` + MODELS.map((m) => `<td class="${m.key}"><div class="bar"><i></i><span></span></div></td>`).join('');
    tbody.append(tr);
  }
  table.classList.add('empty');
  const pad = new Pad($('#pad'), () => predict());
  const preview = $('#preview');
  drawPreview(preview, null);

  function predict() {
    const features = pad.features();
    drawPreview(preview, features);
    if (!features) {
      table.classList.add('empty');
      table.dataset.ready = 'false';
      for (const span of tbody.querySelectorAll('span')) span.textContent = '';
      for (const td of tbody.querySelectorAll('td.win')) td.classList.remove('win');
      return;
    }
    const probs = trainer.predict(features);
    table.classList.remove('empty');
    MODELS.forEach((m, k) => {
      const p = probs[k];
      const best = p.indexOf(Math.max(...p));
      tbody.querySelectorAll('tr').forEach((tr, d) => {
        const td = tr.children[k + 1];
        td.classList.toggle('win', d === best);
        td.dataset.p = String(p[d]);
        td.querySelector('i').style.width = `${(p[d] * 100).toFixed(1)}%`;
        td.querySelector('span').textContent = `${(p[d] * 100).toFixed(1)}%`;
      });
    });
    table.dataset.ready = 'true';
  }
  $('#clear').addEventListener('click', () => {
    pad.clear();
    predict();
  });
  $('#sample').addEventListener('click', () => {
    const i = Math.floor(Math.random() * data.test.n);
    pad.showSample(data.test.x.subarray(i * 64, (i + 1) * 64));
    predict();
  });

  // for the console (and the browser tests): the library, the trainer and the data
  Object.assign(window, { bnwasmDemo: { bw, trainer, data } });
  for (const b of [trainButton, $('#reset')]) b.disabled = false;
  render(trainer);
}

function showEngine() {
  const engine = $('#engine');
  const build = bw.wasmBuild();
  const wasmRadio = $('input[name=backend][value=wasm]');
  if (build === 'none') {
    wasmRadio.disabled = true;
    $('input[name=backend][value=js]').checked = true;
    engine.classList.add('warn');
    engine.textContent = 'No WebAssembly SIMD here: running the JS kernels';
    return;
  }
  const wasm = bw.getBackend() === 'wasm';
  const name = wasm ? `WASM SIMD${build === 'relaxed' ? ' (relaxed, FMA)' : ''}` : 'plain JavaScript';
  // large matrix products run on worker threads (WASM only), which need a cross-origin isolated page
  const threads = wasm ? bw.getThreads() : 1;
  engine.dataset.threads = String(threads);
  engine.title = self.crossOriginIsolated ? 'Which kernels run the training, on how many threads'
    : 'One thread: threads need a cross-origin isolated page (COOP/COEP headers)';
  engine.textContent = `Kernels: ${name} · ${threads} thread${threads === 1 ? '' : 's'}`;
}

main().catch((e) => {
  console.error(e);
  document.body.dataset.state = 'error';
  const engine = $('#engine');
  engine.classList.add('warn');
  engine.textContent = `Error: ${e.message}`;
});
