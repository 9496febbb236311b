// The dataset API as the browser sees it: the portal forwards /api/datasets to the DatasetService.

/** datasetUrl("ab12", "samples", "my song") -> "/api/datasets/ab12/samples/my%20song" */
export function datasetUrl(datasetId, ...parts) {
  return ["/api/datasets", datasetId, ...parts].map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join("/");
}

export function sampleUrl(datasetId, stem, ...parts) {
  return datasetUrl(datasetId, "samples", stem, ...parts);
}
