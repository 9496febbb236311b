using System.Net;
using System.Text;

namespace AceTrainer.EndToEnd.Tests;

public sealed class ChromiumSmokeTests
{
    [Fact]
    public async Task Chromium_renders_a_local_page_and_runs_its_script()
    {
        using var listener = new HttpListener();
        var port = TestSupport.FreePort.Next();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serve = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            var body = Encoding.UTF8.GetBytes("<html><body><p id='x'>before</p><script>document.getElementById('x').textContent='after'</script></body></html>");
            context.Response.ContentType = "text/html";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        });

        var (playwright, browser) = await Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync($"http://127.0.0.1:{port}/");
            Assert.Equal("after", await page.TextContentAsync("#x"));
        }
        await serve;
    }
}
