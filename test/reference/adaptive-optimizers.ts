/**
 * RMSprop, Adagrad and AdamW/AMSGrad updates, float64: the spec for assembly/optim/f32-{rmsprop,adagrad,adamw}.ts
 * and their twins in src/backend/js/. Formulas in src/backend/kernels.ts; Keras 3 semantics.
 */
type Vec = ArrayLike<number>;

export function rmsprop(w: Vec, g: Vec, ms: Vec, mg: Vec | null, mom: Vec | null, lr: number, rho: number,
  momentum: number, eps: number) {
  const W = Float64Array.from(w), MS = Float64Array.from(ms);
  const MG = mg && Float64Array.from(mg), MOM = mom && Float64Array.from(mom);
  for (let i = 0; i < W.length; i++) {
    MS[i] = rho * MS[i] + (1 - rho) * g[i] ** 2;
    let den = MS[i] + eps;
    if (MG) { MG[i] = rho * MG[i] + (1 - rho) * g[i]; den -= MG[i] ** 2; }
    let inc = (lr * g[i]) / Math.sqrt(den);
    if (MOM) inc = MOM[i] = momentum * MOM[i] + inc;
    W[i] -= inc;
  }
  return { w: W, ms: MS, mg: MG, mom: MOM };
}

export function adagrad(w: Vec, g: Vec, acc: Vec, lr: number, eps: number) {
  const W = Float64Array.from(w), A = Float64Array.from(acc);
  for (let i = 0; i < W.length; i++) {
    A[i] += g[i] ** 2;
    W[i] -= (lr * g[i]) / Math.sqrt(A[i] + eps);
  }
  return { w: W, acc: A };
}

/** Keras 3 AdamW: w ← w − w·lr·decay, then Adam (AMSGrad: the running max of v in the denominator). */
export function adamw(w: Vec, g: Vec, m: Vec, v: Vec, vhat: Vec | null, lr: number, beta1: number, beta2: number,
  eps: number, bc1: number, bc2: number, decay: number) {
  const W = Float64Array.from(w), M = Float64Array.from(m), V = Float64Array.from(v), VH = vhat && Float64Array.from(vhat);
  for (let i = 0; i < W.length; i++) {
    W[i] -= W[i] * lr * decay;
    M[i] = beta1 * M[i] + (1 - beta1) * g[i];
    V[i] = beta2 * V[i] + (1 - beta2) * g[i] ** 2;
    let vi = V[i];
    if (VH) vi = VH[i] = Math.max(VH[i], vi);
    W[i] -= (lr * (M[i] / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
  return { w: W, m: M, v: V, vhat: VH };
}
