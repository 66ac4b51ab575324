import type { Sequential } from '../model/sequential.js';
import { toArtifacts, type IOHandler } from './artifacts.js';
import { saveToDirectory } from './files.js';

/** model.save(dir | handler): the TF.js layers-model format. */
export async function saveModel(model: Sequential, destination: string | IOHandler): Promise<unknown> {
  const artifacts = toArtifacts(model);
  if (typeof destination === 'string') {
    await saveToDirectory(destination, artifacts);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }
  if (!destination || typeof destination.save !== 'function') {
    throw new Error(`save: expected a directory path or an IOHandler with a save(artifacts) method, got ${typeof destination}`);
  }
  return destination.save(artifacts);
}
