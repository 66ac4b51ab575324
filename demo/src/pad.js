// The drawing pad and the preprocessing that makes a drawing look like the data: the UCI digits are
// 32×32 binary bitmaps, size-normalised to fill the box, then counted in 4×4 blocks (0..16 per pixel
// of the 8×8 image). We do the same: crop the ink, scale its longer side to 32, centre, threshold,
// and count.

const GRID = 8, BITMAP = 32, BLOCK = BITMAP / GRID;

export class Pad {
  /** @param {HTMLCanvasElement} canvas  @param {() => void} onChange called while drawing and after each stroke */
  constructor(canvas, onChange) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { willReadFrequently: true });
    this.onChange = onChange;
    this.sample = null; // features of a digit shown from the data (exact, no re-sampling)
    this.clear();
    let drawing = false, last = null, pending = false;
    const at = (e) => {
      const r = canvas.getBoundingClientRect();
      return { x: ((e.clientX - r.left) * canvas.width) / r.width, y: ((e.clientY - r.top) * canvas.height) / r.height };
    };
    const changed = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; this.onChange(); });
    };
    canvas.addEventListener('pointerdown', (e) => {
      if (this.sample) this.clear();
      drawing = true;
      last = at(e);
      canvas.setPointerCapture?.(e.pointerId);
      this.line(last, last);
      changed();
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!drawing) return;
      const p = at(e);
      this.line(last, p);
      last = p;
      changed();
    });
    const end = () => {
      if (!drawing) return;
      drawing = false;
      this.onChange();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('lostpointercapture', end);
  }

  line(a, b) {
    const c = this.ctx;
    c.strokeStyle = '#fff';
    c.lineWidth = this.canvas.width * 0.075;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x + 0.01, b.y);
    c.stroke();
    this.empty = false;
  }

  clear() {
    this.ctx.fillStyle = '#111827';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.empty = true;
    this.sample = null;
  }

  /** Shows an 8×8 digit from the data on the pad, as big soft pixels. */
  showSample(features) {
    this.clear();
    const cell = this.canvas.width / GRID;
    for (let i = 0; i < GRID * GRID; i++) {
      const v = Math.round((features[i] / 16) * 255);
      this.ctx.fillStyle = `rgb(${v},${v},${v})`;
      this.ctx.fillRect((i % GRID) * cell, Math.floor(i / GRID) * cell, cell + 0.5, cell + 0.5);
    }
    this.sample = Float32Array.from(features);
    this.empty = false;
  }

  /** The drawing as the models see it: 64 values in 0..16, or null when nothing is drawn. */
  features() {
    if (this.sample) return this.sample;
    if (this.empty) return null;
    const { width: w, height: h } = this.canvas;
    const src = this.ctx.getImageData(0, 0, w, h).data;
    let x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (src[(y * w + x) * 4] > 60) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    if (x1 < 0) return null;
    // the ink's bounding box, squared around its centre, scaled onto a 32×32 bitmap
    const side = Math.max(x1 - x0 + 1, y1 - y0 + 1);
    const cx = (x0 + x1 + 1) / 2, cy = (y0 + y1 + 1) / 2;
    const small = (this.small ??= Object.assign(document.createElement('canvas'), { width: BITMAP, height: BITMAP }));
    const s = small.getContext('2d', { willReadFrequently: true });
    s.fillStyle = '#000';
    s.fillRect(0, 0, BITMAP, BITMAP);
    s.imageSmoothingEnabled = true;
    s.imageSmoothingQuality = 'high';
    s.drawImage(this.canvas, cx - side / 2, cy - side / 2, side, side, 0, 0, BITMAP, BITMAP);
    const bits = s.getImageData(0, 0, BITMAP, BITMAP).data;
    const out = new Float32Array(GRID * GRID);
    for (let y = 0; y < BITMAP; y++) {
      for (let x = 0; x < BITMAP; x++) {
        if (bits[(y * BITMAP + x) * 4] > 96) out[Math.floor(y / BLOCK) * GRID + Math.floor(x / BLOCK)] += 1;
      }
    }
    return out;
  }
}

/** Draws an 8×8 image (0..16) onto a small canvas, dark ink on white like a printed digit. */
export function drawPreview(canvas, features) {
  const c = canvas.getContext('2d');
  c.fillStyle = '#fff';
  c.fillRect(0, 0, canvas.width, canvas.height);
  if (!features) return;
  const cell = canvas.width / GRID;
  for (let i = 0; i < GRID * GRID; i++) {
    const v = Math.round(255 - (features[i] / 16) * 225);
    c.fillStyle = `rgb(${v},${v},${Math.min(255, v + 8)})`;
    c.fillRect((i % GRID) * cell, Math.floor(i / GRID) * cell, cell, cell);
  }
}
