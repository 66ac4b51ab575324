/**
 * Where a model.json's weightsManifest paths may point: only at files inside the model's own directory.
 * A model file is data, often from someone else; if its paths could name `../secret.bin` or `/etc/…`,
 * loading it would read those bytes in as weights, and predictions would leak them.
 */

const refused = (where: string, f: string, why: string) =>
  new Error(`loadModel: weight path ${JSON.stringify(f)} in ${where} is refused: ${why}; weight files must be inside the model's directory`);

/**
 * Over HTTP(S), as tf.io: the path is relative to model.json's URL and inherits its query (`?token=…`).
 * The resolved URL must keep the origin and stay under model.json's directory; the URL parser already
 * reads `..`, `%2e%2e` and backslashes as steps up, so they are judged by where they land.
 */
export function weightUrl(f: string, modelUrl: URL, where: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(f) || f.startsWith('/') || f.startsWith('\\')) throw refused(where, f, 'it is absolute');
  const url = new URL(f, modelUrl);
  if (!url.search && !f.includes('?')) url.search = modelUrl.search;
  const dir = modelUrl.pathname.slice(0, modelUrl.pathname.lastIndexOf('/') + 1);
  if (url.origin !== modelUrl.origin || !url.pathname.startsWith(dir)) {
    throw refused(where, f, `it resolves to ${url.origin}${url.pathname}, outside ${modelUrl.origin}${dir}`);
  }
  return url.href;
}

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

/**
 * On disk, as tfjs-node: the path is joined to model.json's directory as written (no percent-decoding,
 * so `%2e%2e` is an ordinary name). Refused: absolute paths, NUL bytes, and anything whose real path
 * (symlinks resolved, the directory's own included) is not inside the directory's real path.
 * Returns that real path, so the file read is the file checked.
 */
export async function weightFile(f: string, dir: string, where: string, fs: Fs, path: Path): Promise<string> {
  if (f.includes('\0')) throw refused(where, f, 'it contains a NUL byte');
  if (path.isAbsolute(f) || path.win32.isAbsolute(f)) throw refused(where, f, 'it is absolute');
  const inside = (root: string, p: string) => {
    const rel = path.relative(root, p);
    return rel !== '' && rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel);
  };
  const joined = path.resolve(dir, f);
  if (!inside(path.resolve(dir), joined)) throw refused(where, f, `it resolves to ${joined}, outside ${path.resolve(dir)}`);
  let real: string;
  try { real = await fs.realpath(joined); } catch (e) {
    const code = (e as { code?: string }).code;
    throw new Error(`loadModel: cannot read ${joined}${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`);
  }
  const root = await fs.realpath(dir);
  if (!inside(root, real)) throw refused(where, f, `it is a link to ${real}, outside ${root}`);
  return real;
}
