using System.Text.Json;
using Microsoft.Playwright;

namespace AceTrainer.EndToEnd.Tests;

/// <summary>js/charts/loss-chart.js in Debian's chromium: downsampling, live points, zoom, smoothing, log axis, comparison.</summary>
public sealed class LossChartTests(LossChartSite site) : IClassFixture<LossChartSite>
{
    // 200,000 noisy decaying points made in the page (sending them over the wire would only slow the test).
    private const string SetBigRun = """
        async () => {
          const n = 200000, step = new Float64Array(n), loss = new Float64Array(n);
          for (let i = 0; i < n; i++) { step[i] = i + 1; loss[i] = 2 / (1 + i / 1000) + 0.2 * Math.sin(i * 0.37); }
          chart.setRun("run A", { step, loss });
          await nextFrame();
        }
        """;

    // The run's raw series as uPlot has it: x values where series 1 has a point.
    private const string RawSeries = """
        () => {
          const u = chart.uplot, xs = [], ys = [];
          u.data[0].forEach((x, i) => { if (u.data[1][i] != null) { xs.push(x); ys.push(u.data[1][i]); } });
          return { xs, ys, min: u.scales.x.min, max: u.scales.x.max, rendered: chart.renderedPointCount,
                   pointCount: chart.pointCount, plotWidth: u.over.clientWidth };
        }
        """;

    private readonly List<string> _errors = [];

    [Fact]
    public async Task Hundreds_of_thousands_of_points_are_downsampled_to_about_two_per_pixel()
    {
        var page = await site.OpenChartAsync(_errors);
        Assert.True(await page.EvaluateAsync<bool>("() => chart.pointCount === 0 && !document.querySelector('.loss-chart-empty').hidden"));

        await page.EvaluateAsync(SetBigRun);
        var raw = await RawAsync(page);
        Assert.Equal(200_000, raw.PointCount);
        Assert.InRange(raw.Rendered, 101, 2 * raw.PlotWidth);
        Assert.Equal(raw.Rendered, raw.Xs.Length);
        Assert.Equal(1, raw.Xs[0]);
        Assert.Equal(200_000, raw.Xs[^1]);
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('.loss-chart-empty').hidden"));
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task Live_points_append_or_replace_their_step_and_share_one_redraw_per_frame()
    {
        var page = await site.OpenChartAsync(_errors);
        var setDataCalls = await page.EvaluateAsync<int>("""
            async () => {
              chart.setRun("run A", { step: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], loss: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1] });
              const u = chart.uplot, setData = u.setData.bind(u);
              let calls = 0;
              u.setData = (...args) => { calls++; return setData(...args); };
              chart.append(5, 42);     // a resumed run repeats step 5
              chart.append(11, 0.5);
              for (let s = 12; s <= 20; s++) chart.append(s, 0.25);
              await nextFrame();
              return calls;
            }
            """);
        Assert.Equal(1, setDataCalls);
        var raw = await RawAsync(page);
        Assert.Equal(20, raw.PointCount);
        Assert.Equal(Enumerable.Range(1, 20).Select(s => (double)s), raw.Xs);
        Assert.Equal(42, raw.Ys[4]);
        Assert.Equal(0.5, raw.Ys[10]);
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task Drag_zoom_downsamples_again_within_the_visible_steps_and_double_click_resets()
    {
        var page = await site.OpenChartAsync(_errors);
        await page.EvaluateAsync(SetBigRun);
        var before = await RawAsync(page);

        var over = (await page.Locator(".loss-chart .u-over").BoundingBoxAsync())!;
        var y = over.Y + over.Height / 2;
        await page.Mouse.MoveAsync(over.X + over.Width * 0.25f, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(over.X + over.Width * 0.5f, y, new() { Steps = 5 });
        await page.Mouse.UpAsync();
        await page.EvaluateAsync("() => nextFrame()");

        var zoomed = await RawAsync(page);
        Assert.InRange(zoomed.Min, 40_000, 60_000);
        Assert.InRange(zoomed.Max, 90_000, 110_000);
        Assert.All(zoomed.Xs, x => Assert.InRange(x, zoomed.Min, zoomed.Max));
        Assert.InRange(zoomed.Rendered, 101, 2 * zoomed.PlotWidth);
        var beforeInRange = before.Xs.Count(x => x >= zoomed.Min && x <= zoomed.Max);
        Assert.True(zoomed.Rendered > 2 * beforeInRange, $"{zoomed.Rendered} points after zoom, {beforeInRange} in that range before");
        Assert.Equal(200_000, zoomed.PointCount);

        await page.Mouse.DblClickAsync(over.X + over.Width / 2, y);
        await page.EvaluateAsync("() => nextFrame()");
        var reset = await RawAsync(page);
        Assert.Equal(1, reset.Min);
        Assert.Equal(200_000, reset.Max);
        Assert.Equal(before.Xs, reset.Xs);
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task Smoothing_is_tensorboards_debiased_exponential_moving_average_over_the_raw_points()
    {
        var page = await site.OpenChartAsync(_errors);
        var steps = Enumerable.Range(1, 300).Select(i => (double)i).ToArray();
        var loss = steps.Select(i => 1.5 * Math.Exp(-i / 80) + 0.1 * Math.Sin(i * 1.7) + 0.05 * Math.Cos(i * 0.31)).ToArray();
        var smoothed = await page.EvaluateAsync<JsonElement>("""
            async (history) => {
              chart.setRun("run A", history);
              chart.setSmoothing(0.9);
              await nextFrame();
              const u = chart.uplot;
              return { xs: u.data[0], raw: u.data[1], smoothed: u.data[2], label: u.series[2].label };
            }
            """, new { step = steps, loss });

        Assert.Equal("run A (smoothed)", smoothed.GetProperty("label").GetString());
        Assert.Equal(steps, Doubles(smoothed.GetProperty("xs")));
        Assert.Equal(loss, Doubles(smoothed.GetProperty("raw")));
        var expected = DebiasedEma(loss, 0.9);
        var actual = Doubles(smoothed.GetProperty("smoothed"));
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Abs(expected[i]), $"point {i}: {actual[i]} != {expected[i]}");
        Assert.True(Math.Abs(actual[150] - loss[150]) > 1e-3, "the smoothed curve is the raw one");
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task Log_scale_spreads_decades_evenly_and_skips_zero_and_negative_loss()
    {
        var page = await site.OpenChartAsync(_errors);
        var steps = Enumerable.Range(1, 200).Select(i => (double)i).ToArray();
        var loss = steps.Select(i => i % 50 == 0 ? 0 : i % 77 == 0 ? -0.5 : Math.Pow(10, -2 + 3 * i / 200)).ToArray();
        const string Spacing = """
            async () => {
              await nextFrame();
              const u = chart.uplot, pos = (v) => u.valToPos(v, "y");
              return { distr: u.scales.y.distr, rendered: chart.renderedPointCount, lowDecade: pos(0.01) - pos(0.1), highDecade: pos(0.1) - pos(1),
                       minLoss: Math.min(...u.data[1].filter((v) => v != null)) };
            }
            """;
        await page.EvaluateAsync("(history) => chart.setRun('run A', history)", new { step = steps, loss });

        await page.EvaluateAsync("() => chart.setLogScale(true)");
        var log = await page.EvaluateAsync<JsonElement>(Spacing);
        Assert.Equal(3, log.GetProperty("distr").GetInt32());
        Assert.Equal(loss.Count(l => l > 0), log.GetProperty("rendered").GetInt32());
        Assert.True(log.GetProperty("minLoss").GetDouble() > 0);
        Assert.Equal(log.GetProperty("lowDecade").GetDouble(), log.GetProperty("highDecade").GetDouble(), 0.5);

        await page.EvaluateAsync("() => chart.setLogScale(false)");
        var linear = await page.EvaluateAsync<JsonElement>(Spacing);
        Assert.Equal(1, linear.GetProperty("distr").GetInt32());
        Assert.Equal(200, linear.GetProperty("rendered").GetInt32());
        Assert.Equal(-0.5, linear.GetProperty("minLoss").GetDouble());
        Assert.True(linear.GetProperty("lowDecade").GetDouble() * 5 < linear.GetProperty("highDecade").GetDouble());
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task Comparison_run_adds_a_series_with_its_label_and_goes_away_again()
    {
        var page = await site.OpenChartAsync(_errors);
        var result = await page.EvaluateAsync<JsonElement>("""
            async () => {
              chart.setRun("run A", { step: [1, 2, 3, 4], loss: [4, 3, 2, 1] });
              chart.setComparison("run B", { step: [2, 4, 6, 8, 10], loss: [5, 4, 3, 2, 1] });
              await nextFrame();
              const u = chart.uplot;
              const withComparison = { series: u.series.map((s) => s.label), xs: u.data[0], comparison: u.data[2],
                                       legend: document.querySelector(".loss-chart .u-legend").textContent };
              chart.setComparison("run B", null);
              await nextFrame();
              return { withComparison, without: chart.uplot.series.map((s) => s.label) };
            }
            """);
        var with = result.GetProperty("withComparison");
        Assert.Equal(["step", "run A", "run B"], with.GetProperty("series").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal([1, 2, 3, 4, 6, 8, 10], Doubles(with.GetProperty("xs")));
        Assert.Equal([5, 4, 3, 2, 1], with.GetProperty("comparison").EnumerateArray()
            .Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDouble()));
        Assert.Contains("run B", with.GetProperty("legend").GetString());
        Assert.Equal(["step", "run A"], result.GetProperty("without").EnumerateArray().Select(s => s.GetString()));
        Assert.Empty(_errors);
    }

    private static async Task<RawView> RawAsync(IPage page)
    {
        var raw = await page.EvaluateAsync<JsonElement>(RawSeries);
        return new RawView(Doubles(raw.GetProperty("xs")), Doubles(raw.GetProperty("ys")), raw.GetProperty("min").GetDouble(),
            raw.GetProperty("max").GetDouble(), raw.GetProperty("rendered").GetInt32(), raw.GetProperty("pointCount").GetInt32(),
            raw.GetProperty("plotWidth").GetInt32());
    }

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetDouble())];

    /// <summary>TensorBoard's smoothing: EMA from 0, divided by 1 - weight^n to remove the start-up bias.</summary>
    private static double[] DebiasedEma(double[] values, double weight)
    {
        var smoothed = new double[values.Length];
        var accumulator = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            accumulator = accumulator * weight + (1 - weight) * values[i];
            smoothed[i] = accumulator / (1 - Math.Pow(weight, i + 1));
        }
        return smoothed;
    }

    private sealed record RawView(double[] Xs, double[] Ys, double Min, double Max, int Rendered, int PointCount, int PlotWidth);
}
