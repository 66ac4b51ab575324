/**
 * Named shapes for every bench suite, and the per-case facts the report needs (flops, rows per call).
 * GEMM shapes are written m×k×n (A m×k times B k×n); `op` is the kernel contract's form:
 * 'nn' C = A·B, 'tn' C = Aᵀ·B (A stored k×m), 'nt' C = A·Bᵀ (B stored n×k).
 * The MLP is 784-256-BN-relu-256-BN-relu-10 softmax at batch 128, so per Dense layer (in → out):
 * forward nn m=128 k=in n=out; dW = xᵀ·dy tn m=in k=128 n=out; dx = dy·Wᵀ nt m=128 k=out n=in.
 */

export const MLP = { units: [784, 256, 256, 10], batch: 128 };

const dense = (layer, inDim, outDim, b = MLP.batch) => [
  { name: `${layer} fwd`, op: 'nn', m: b, k: inDim, n: outDim },
  { name: `${layer} dW`, op: 'tn', m: inDim, k: b, n: outDim },
  { name: `${layer} dx`, op: 'nt', m: b, k: outDim, n: inDim },
];

export const GEMM = [
  ...dense('dense1', 784, 256),
  { name: 'cube', op: 'nn', m: 512, k: 512, n: 512 },
  ...dense('dense2', 256, 256),
  ...dense('dense3', 256, 10),
].map((s) => ({ ...s, suite: `gemm ${s.op} ${s.m}x${s.k}x${s.n}`, file: `gemm-${s.op}-${s.m}x${s.k}x${s.n}`, flops: 2 * s.m * s.n * s.k }));

/** BN training forward + backward through the batch statistics: [rows, cols]. */
export const BNORM = [[1024, 1024], [128, 256]].map(([rows, cols]) =>
  ({ rows, cols, suite: `bnorm fwd+bwd ${rows}x${cols}`, file: `bnorm-${rows}x${cols}` }));

/** Per-column mean and variance over the rows. */
export const MOMENTS = [[1024, 1024]].map(([rows, cols]) =>
  ({ rows, cols, suite: `moments ${rows}x${cols}`, file: `moments-${rows}x${cols}` }));

/** Fused softmax + categorical cross-entropy, loss and dlogits. */
export const SOFTMAX_CE = [[128, 10], [1024, 1000]].map(([rows, cols]) =>
  ({ rows, cols, suite: `softmax-ce ${rows}x${cols}`, file: `softmax-ce-${rows}x${cols}` }));

/**
 * `fit` of the MLP (1 epoch, batch 128, SGD lr 0.01, categoricalCrossentropy, no shuffle), random rows.
 * Each runner fits the number of batches below per timed call so a call takes about a second; samples/s
 * is rows / median. Fewer batches only makes the slow runners look better (fixed per-fit cost is spread
 * over fewer rows), so the bnwasm ratios are if anything understated.
 */
export const FIT = {
  suite: 'fit mlp 784-256-256-10 b128', file: 'fit-mlp-b128', batch: MLP.batch,
  batches: { 'bnwasm-wasm': 40, 'bnwasm-wasm-1thread': 40, 'bnwasm-js': 4, 'tfjs-wasm': 10, 'tfjs-cpu': 2 },
  quickBatches: 1,
};

/**
 * `predict` of 1,024 rows, at the API's default batchSize (32, what `model.predict(x)` does in both
 * libraries, and the setting behind the earlier TF.js figures) and in one batch of 1,024 (where both run
 * their GEMM near the single-core ceiling). 'bnwasm-wasm-folded' is the same model after foldBatchNorm().
 * The predict target is judged on the default batchSize, with bnwasm on its default thread count.
 */
export const PREDICT = [
  { suite: 'predict mlp 1024 rows b32', file: 'predict-mlp-1024-b32', rows: 1024, batchSize: 32, label: 'predict 1,024 rows (default batchSize 32)', target: true },
  { suite: 'predict mlp 1024 rows', file: 'predict-mlp-1024', rows: 1024, batchSize: 1024, label: 'predict 1,024 rows (one batch)', target: false },
];

/**
 * f32x4 peak micro-benchmark (bench/peak/peak.ts): `chains` independent a = a·m + c chains, 8 flops per
 * chain step. iters is sized so a call takes a few milliseconds.
 */
export const PEAK = {
  suite: 'peak f32x4 mul+add', file: 'peak-f32x4',
  chains: [8, 12, 16],
  flopsPerCall: 2 ** 28,
  iters: (chains) => Math.round(2 ** 28 / (8 * chains)),
  /** The same loop on every core at once (bench/peak/peak-threads.mjs): the measured multi-thread ceiling. */
  threads: { name: 'peak f32x4 mul+add, all cores', file: 'peak-threads', rounds: 7, seconds: 0.4, max: 4 },
};

/** Every suite the report knows, in report order, with the group (results subfolder) it is saved in. */
export const SUITES = [
  { group: 'peak', ...PEAK, kind: 'peak' },
  ...GEMM.map((s) => ({ group: 'kernels', kind: 'gemm', ...s })),
  ...MOMENTS.map((s) => ({ group: 'kernels', kind: 'moments', ...s })),
  ...BNORM.map((s) => ({ group: 'kernels', kind: 'bnorm', ...s })),
  ...SOFTMAX_CE.map((s) => ({ group: 'kernels', kind: 'softmax-ce', ...s })),
  { group: 'model', kind: 'fit', ...FIT },
  ...PREDICT.map((s) => ({ group: 'model', kind: 'predict', ...s })),
];

/**
 * The public API as a user calls it (bench/api.bench.mjs): every case takes user Tensors and reads its
 * results (dataSync), bnwasm on the default threads and on 1 thread, TF.js wasm with its tensors created
 * beforehand; `kernel` is the same work on heap-resident arrays (what the public path costs beyond it).
 * Targets are speed ratios against TF.js wasm on the default threads; `vsTf` for a rate (fit) is rate / rate.
 */
export const API = [
  { suite: 'api matMul 128x784x256', file: 'api-matmul-128x784x256', kind: 'matMul', m: 128, k: 784, n: 256, label: '`ops.matMul` 128×784×256', vsTf: 2 },
  { suite: 'api matMul 512x512x512', file: 'api-matmul-512x512x512', kind: 'matMul', m: 512, k: 512, n: 512, label: '`ops.matMul` 512³' },
  { suite: 'api bn 1024x1024', file: 'api-bn-1024x1024', kind: 'bn', rows: 1024, cols: 1024, label: '`ops` moments + batchNorm + batchNormGrad 1024×1024', vsTf: 60 },
  { suite: 'api bn 128x256', file: 'api-bn-128x256', kind: 'bn', rows: 128, cols: 256, label: '`ops` moments + batchNorm + batchNormGrad 128×256', vsTf: 40 },
  { suite: 'api trainOnBatch mlp b128', file: 'api-train-on-batch-b128', kind: 'trainOnBatch', rows: 128, label: '`trainOnBatch` MLP, batch 128', vsTf: 25 },
  { suite: 'api fit mlp b128', file: 'api-fit-b128', kind: 'fit', batch: 128, batches: 8, label: '`fit` MLP, batch 128 (samples/s)', samplesPerSec: 70_000 },
  { suite: 'api predict mlp 1024 rows', file: 'api-predict-1024', kind: 'predict', rows: 1024, label: '`predict` 1,024 rows, one batch', vsTf: 4 },
].map((s) => ({ group: 'api', ...s }));
