import type { TrainingModel } from './callbacks.js';

/**
 * Which way a monitored quantity should go. 'auto' asks the model (the loss and the error metrics go down,
 * accuracy-like metrics up, with or without the 'val_' prefix), as Keras 3 does; a name it cannot place is
 * an error asking for mode 'min' or 'max'.
 */
export function monitorDirection(who: string, monitor: string, mode: 'auto' | 'min' | 'max', model: TrainingModel): 'up' | 'down' {
  if (mode === 'min') return 'down';
  if (mode === 'max') return 'up';
  const name = monitor.startsWith('val_') ? monitor.slice(4) : monitor;
  const direction = name === 'loss' ? 'down' : model.metricDirection?.(name);
  if (!direction) {
    throw new Error(`${who}: cannot tell whether '${monitor}' should be minimized or maximized; pass mode: 'min' or mode: 'max'`);
  }
  return direction;
}
