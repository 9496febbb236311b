// Each test runs the whole system and a browser; on a small machine running them side by side only makes them flaky.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
