import { defineConfig } from 'vite';

// The demo is an ordinary Vite app: it imports 'bnwasm' by name (demo/package.json links it from the
// repository root with "file:..") and Vite picks the package's `browser` export, one self-contained
// ES module with the WASM inlined. Nothing here is about bnwasm except `server.fs.allow`, which is
// only needed because the linked package lives in the parent directory of this app (an installed
// copy in node_modules is inside the app and needs no such line).
export default defineConfig({
  base: './', // the production build works from any directory of any static server
  publicDir: '../data', // serves digits.csv (and its README with the data's attribution)
  server: { fs: { allow: ['..'] } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
