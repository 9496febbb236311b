// Each test runs the whole system; on a small machine running them side by side only makes them flaky.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
