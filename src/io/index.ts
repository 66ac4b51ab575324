import { Sequential } from '../model/sequential.js';
import { fromArtifacts, type IOHandler, type ModelArtifacts } from './artifacts.js';
import { loadFromPath } from './files.js';

export type { IOHandler, ModelArtifacts };
export { saveModel } from './save.js';

/** bw.loadModel('dir/model.json' | handler). */
export async function loadModel(source: string | IOHandler): Promise<Sequential> {
  if (typeof source === 'string') return modelOf(fromArtifacts(await loadFromPath(source)));
  if (!source || typeof source.load !== 'function') {
    throw new Error(`loadModel: expected a path to model.json or an IOHandler with a load() method, got ${typeof source}`);
  }
  return modelOf(fromArtifacts(await source.load()));
}

const modelOf = ({ name, layers }: { name: string | undefined; layers: ReturnType<typeof fromArtifacts>['layers'] }) =>
  new Sequential({ name, layers });
