// Largest-Triangle-Three-Buckets downsampling for long metric curves. The same algorithm and arithmetic as the
// trainer's AceTrainer.AceStep.Metrics.Lttb, so server and browser keep the same points.
// Keeps the first and last point and, from each of threshold - 2 buckets in between, the point forming the largest
// triangle with the previously kept point and the mean of the next bucket. xs must be increasing.
export function lttb(xs, ys, threshold) {
  if (xs.length !== ys.length) throw new Error(`lttb: ${xs.length} x values but ${ys.length} y values`);
  const n = xs.length;
  if (n <= threshold) return { xs: Array.from(xs), ys: Array.from(ys) };
  if (!(threshold >= 2)) throw new RangeError(`lttb: threshold must be at least 2 (got ${threshold})`);

  const outX = new Array(threshold);
  const outY = new Array(threshold);
  outX[0] = xs[0];
  outY[0] = ys[0];
  outX[threshold - 1] = xs[n - 1];
  outY[threshold - 1] = ys[n - 1];
  const bucketSize = (n - 2) / (threshold - 2);
  let anchorX = xs[0];
  let anchorY = ys[0];
  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    const nextStart = Math.floor((bucket + 1) * bucketSize) + 1;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, n);
    let meanX = 0;
    let meanY = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      meanX += xs[i];
      meanY += ys[i];
    }
    meanX /= nextEnd - nextStart;
    meanY /= nextEnd - nextStart;

    const start = Math.floor(bucket * bucketSize) + 1;
    let best = start;
    let bestArea = -1;
    for (let i = start; i < nextStart; i++) {
      const area = Math.abs((anchorX - meanX) * (ys[i] - anchorY) - (anchorX - xs[i]) * (meanY - anchorY));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    anchorX = xs[best];
    anchorY = ys[best];
    outX[bucket + 1] = anchorX;
    outY[bucket + 1] = anchorY;
  }
  return { xs: outX, ys: outY };
}
