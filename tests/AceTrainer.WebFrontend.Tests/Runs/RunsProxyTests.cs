using System.Net;
using System.Net.Http.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.WebFrontend.Tests.Support;

namespace AceTrainer.WebFrontend.Tests.Runs;

/// <summary>/api/runs/** reaches the TrainingService (here a stand-in that echoes what it got) unchanged.</summary>
[Collection(PortalCollection.Name)]
public sealed class RunsProxyTests(PortalFixture fixture)
{
    [Theory]
    [InlineData("GET", "/api/runs", "?state=training&from=2026-11-01")]
    [InlineData("GET", "/api/runs/run-1/events", "?after=1764633600000-3")]
    [InlineData("POST", "/api/runs/run-1/cancel", "")]
    [InlineData("DELETE", "/api/runs/run-1", "")]
    public async Task Runs_api_requests_are_forwarded_to_the_training_service(string method, string path, string query)
    {
        using var http = fixture.Portal.CreateClient(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(new HttpMethod(method), path + query);
        if (method == "POST") request.Content = JsonContent.Create(new { reason = "test" });

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>(JsonDefaults.Options);
        Assert.Equal(new EchoedRequest(method, path, query, method == "POST" ? "application/json; charset=utf-8" : "",
            method == "POST" ? """{"reason":"test"}""" : ""), echoed);
    }
}
