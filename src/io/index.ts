import type { Sequential } from '../model/sequential.js';
import { fromArtifacts, toArtifacts, type IOHandler, type ModelArtifacts } from './artifacts.js';
import { browserFiles, schemeHandler } from './browser-storage.js';
import { loadFromPath, saveToDirectory } from './files.js';

export type { IOHandler, ModelArtifacts };

/** model.save(dir | handler): the TF.js layers-model format. */
export async function saveModel(model: Sequential, destination: string | IOHandler): Promise<unknown> {
  const artifacts = toArtifacts(model);
  const scheme = typeof destination === 'string' ? schemeHandler(destination, 'save') : null;
  if (scheme) return scheme.save!(artifacts);
  if (typeof destination === 'string') {
    await saveToDirectory(destination, artifacts);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }
  if (!destination || typeof destination.save !== 'function') {
    throw new Error(`save: expected a directory path or an IOHandler with a save(artifacts) method, got ${typeof destination}`);
  }
  return destination.save(artifacts);
}

/** bw.loadModel('dir/model.json' | handler). */
export async function loadModel(source: string | IOHandler): Promise<Sequential> {
  const scheme = typeof source === 'string' ? schemeHandler(source, 'load') : null;
  if (scheme) return fromArtifacts(await scheme.load!());
  if (typeof source === 'string') return fromArtifacts(await loadFromPath(source));
  if (!source || typeof source.load !== 'function') {
    throw new Error(`loadModel: expected a path to model.json or an IOHandler with a load() method, got ${typeof source}`);
  }
  return fromArtifacts(await source.load());
}

/** bw.io: IOHandlers for the browser's storage, as tf.io names them. */
export const io = { browserFiles };
