import { EarlyStopping, type EarlyStoppingArgs } from './early-stopping.js';
import { LearningRateScheduler, ReduceLROnPlateau, type ReduceLROnPlateauArgs } from './learning-rate-callbacks.js';

/** bw.callbacks: factories for the built-in callbacks (TF.js names). */
export const callbacks = {
  earlyStopping: (args?: EarlyStoppingArgs) => new EarlyStopping(args),
  reduceLROnPlateau: (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args),
  learningRateScheduler: (schedule: (epoch: number, learningRate: number) => number, verbose = 0) =>
    new LearningRateScheduler(schedule, verbose),
};
