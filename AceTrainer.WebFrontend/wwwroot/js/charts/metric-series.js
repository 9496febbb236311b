// One metric curve (step -> value) in growable typed arrays, ascending by step with one value per step, and its
// TensorBoard-style smoothed copy, kept incrementally so a live append costs O(1) and not a pass over 100k+ points.

const INITIAL_CAPACITY = 1024;

export class MetricSeries {
  #steps = new Float64Array(INITIAL_CAPACITY);
  #values = new Float64Array(INITIAL_CAPACITY);
  #length = 0;
  #weight = 0;              // smoothing weight in [0, 1); 0 leaves the values as they are
  #smoothed = new Float64Array(INITIAL_CAPACITY); // debiased EMA of #values
  #accumulator = new Float64Array(INITIAL_CAPACITY); // the EMA before debiasing, so smoothing can restart mid-way
  #finiteCount = new Uint32Array(INITIAL_CAPACITY); // finite values up to each index, the exponent of the debias term
  #smoothedUpTo = 0;        // #smoothed is valid for indices below this; changes lower it, smoothed() brings it up

  get length() { return this.#length; }
  get steps() { return this.#steps.subarray(0, this.#length); }
  get values() { return this.#values.subarray(0, this.#length); }

  /** Replaces every point; steps should ascend (a step out of order or repeated is inserted or replaced in place). */
  replaceAll(steps, values) {
    if (steps.length !== values.length) throw new Error(`${steps.length} steps but ${values.length} values`);
    this.#length = 0;
    this.#smoothedUpTo = 0;
    this.#ensureCapacity(steps.length);
    if (!isStrictlyAscending(steps)) {
      for (let i = 0; i < steps.length; i++) this.set(steps[i], values[i]);
      return;
    }
    this.#steps.set(steps);
    for (let i = 0; i < values.length; i++) this.#values[i] = values[i] ?? NaN;
    this.#length = steps.length;
  }

  /** Adds the point, or replaces the value of a step it already has (a resumed run repeats steps). */
  set(step, value) {
    value = value ?? NaN; // a missing value (null in JSON) is a gap, not a zero loss
    const n = this.#length;
    if (n === 0 || step > this.#steps[n - 1]) {
      this.#ensureCapacity(n + 1);
      this.#steps[n] = step;
      this.#values[n] = value;
      this.#length = n + 1;
      return;
    }
    const i = this.lowerBound(step);
    if (this.#steps[i] !== step) {
      this.#ensureCapacity(n + 1);
      this.#steps.copyWithin(i + 1, i, n);
      this.#values.copyWithin(i + 1, i, n);
      this.#steps[i] = step;
      this.#length = n + 1;
    }
    this.#values[i] = value;
    this.#smoothedUpTo = Math.min(this.#smoothedUpTo, i);
  }

  /** The first index whose step is >= step (length when none). */
  lowerBound(step) {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#steps[mid] < step) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index whose step is > step (length when none). */
  upperBound(step) {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#steps[mid] <= step) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  set weight(weight) {
    if (weight === this.#weight) return;
    this.#weight = weight;
    this.#smoothedUpTo = 0;
  }

  /**
   * The values smoothed as TensorBoard does: an exponential moving average started at 0 and divided by
   * 1 - weight^k (k = finite values so far) to undo the pull towards 0; a non-finite value passes through untouched.
   */
  smoothed() {
    const w = this.#weight;
    const n = this.#length;
    const [values, smoothed, accumulators, counts] = [this.#values, this.#smoothed, this.#accumulator, this.#finiteCount];
    let i = this.#smoothedUpTo;
    let accumulator = i > 0 ? accumulators[i - 1] : 0;
    let count = i > 0 ? counts[i - 1] : 0;
    let weightPower = Math.pow(w, count); // w^count kept by multiplying: Math.pow per point would dominate at 1M points
    for (; i < n; i++) {
      const value = values[i];
      if (Number.isFinite(value)) {
        accumulator = accumulator * w + (1 - w) * value;
        count++;
        // Below 1e-300 it no longer changes 1 - w^count; flushing it to 0 keeps it from sticking at the smallest
        // subnormal (0.9 * 5e-324 rounds back to 5e-324), where every multiply is many times slower.
        weightPower = weightPower < 1e-300 ? 0 : weightPower * w;
        smoothed[i] = accumulator / (1 - weightPower);
      } else {
        smoothed[i] = value;
      }
      accumulators[i] = accumulator;
      counts[i] = count;
    }
    this.#smoothedUpTo = n;
    return smoothed.subarray(0, n);
  }

  #ensureCapacity(needed) {
    if (needed <= this.#steps.length) return;
    let capacity = this.#steps.length;
    while (capacity < needed) capacity *= 2;
    this.#steps = grow(this.#steps, capacity, this.#length);
    this.#values = grow(this.#values, capacity, this.#length);
    this.#smoothed = grow(this.#smoothed, capacity, this.#smoothedUpTo);
    this.#accumulator = grow(this.#accumulator, capacity, this.#smoothedUpTo);
    this.#finiteCount = grow(this.#finiteCount, capacity, this.#smoothedUpTo);
  }
}

function isStrictlyAscending(steps) {
  for (let i = 1; i < steps.length; i++) if (!(steps[i] > steps[i - 1])) return false;
  return true;
}

function grow(array, capacity, used) {
  const bigger = new array.constructor(capacity);
  bigger.set(array.subarray(0, used));
  return bigger;
}
