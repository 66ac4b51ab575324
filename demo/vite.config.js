import { defineConfig } from 'vite';

// The demo is an ordinary Vite app: it imports 'bnwasm' by name (demo/package.json links it from the
// repository root with "file:..") and Vite picks the package's `browser` export, one self-contained
// ES module with the WASM inlined. Nothing here is about bnwasm except `server.fs.allow`, which is
// only needed because the linked package lives in the parent directory of this app (an installed
// copy in node_modules is inside the app and needs no such line), and the two headers below.
//
// COOP + COEP make the page cross-origin isolated: only then may it share a WebAssembly.Memory with
// workers, so bnwasm runs large matrix products on several threads (bw.getThreads() > 1). Everything
// the demo loads is same-origin (chart.js is bundled by Vite, the data is digits.csv from publicDir),
// so `require-corp` blocks nothing. A static host serving demo/dist must send the same two headers to
// get threads; without them the demo still works, on one thread.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './', // the production build works from any directory of any static server
  publicDir: '../data', // serves digits.csv (and its README with the data's attribution)
  server: { fs: { allow: ['..'] }, headers: isolation },
  preview: { headers: isolation },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
