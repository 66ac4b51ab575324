/**
 * Measure and adapt: whether a kind of job (a kernel export and a size class) runs split over the threads
 * or whole on the calling thread. Splitting pays only while the workers get a core, and how much it pays
 * differs by machine and by moment, so the pool times both ways and runs the faster one.
 *
 * Each kind keeps its last few times per unit of work, split and whole, and judges by their medians: a
 * single outlier (the first split of a pool whose worker was asleep, a burst of load elsewhere) cannot
 * decide for hundreds of runs, as it could in a moving average. A new kind alternates between the two
 * ways until each has WARM_UP times; then it runs the faster one (split only when clearly faster: a split
 * job also takes a worker's CPU from whatever else runs) and tries the other every explore-th run, so it
 * notices when the machine changes.
 */

/** Times each way keeps; its median is that way's time. */
const SAMPLES = 5;
/** Times each way gets before the pool picks one. */
const WARM_UP = 3;
/** A kind of job tries its slower way once in this many runs. */
const EXPLORE = 32;
/**
 * While splitting keeps losing, a kind tries it ever more rarely (the period doubles up to this): on a busy
 * machine one split try can wait a whole scheduler slice for a descheduled worker, and with a dozen kinds
 * per training step, trying each every EXPLORE-th run costs more than the split jobs ever gain.
 */
const EXPLORE_MAX = 1024;
/** A kind of job splits while its split time stays under this share of its whole time. */
const SPLIT_WINS = 0.9;

interface Kind {
  split: number[];
  whole: number[];
  runs: number;
  explore: number;
  /** Whether the current run splits, and whether it is an exploration of the slower way. */
  splitNow: boolean;
  exploring: boolean;
}

export class SplitPolicy {
  private kinds = new Map<string, Kind>();

  /** Whether this run of kind `key` should split; `record` its time afterwards. */
  decide(key: string): Kind {
    let kind = this.kinds.get(key);
    if (!kind) this.kinds.set(key, (kind = { split: [], whole: [], runs: 0, explore: EXPLORE, splitNow: true, exploring: false }));
    kind.runs++;
    kind.exploring = false;
    if (kind.split.length < WARM_UP || kind.whole.length < WARM_UP) {
      kind.splitNow = kind.split.length <= kind.whole.length;
      return kind;
    }
    const faster = splitFaster(kind);
    kind.exploring = kind.runs % kind.explore === 0;
    kind.splitNow = kind.exploring ? !faster : faster;
    return kind;
  }

  /** The time per unit of work the run that `decide` returned `kind` for took. */
  record(kind: Kind, perUnit: number): void {
    const times = kind.splitNow ? kind.split : kind.whole;
    times.push(perUnit);
    if (times.length > SAMPLES) times.shift();
    // a split try that lost: try again twice as late; one that would have won (the machine may have
    // changed) or a split that wins again: back to the usual period, so a few more tries can tell
    if (kind.split.length >= WARM_UP && kind.whole.length >= WARM_UP) {
      const promising = kind.exploring && kind.splitNow && perUnit < SPLIT_WINS * median(kind.whole);
      if (promising || splitFaster(kind)) kind.explore = EXPLORE;
      else if (kind.exploring && kind.splitNow) kind.explore = Math.min(EXPLORE_MAX, 2 * kind.explore);
    }
  }
}

function splitFaster(kind: Kind): boolean {
  return median(kind.split) < SPLIT_WINS * median(kind.whole);
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b), mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
