using System.Net.Http.Json;
using System.Text.Json;

namespace AceTrainer.DatasetService.Tests.Support;

public static class ProblemBody
{
    /// <summary>Asserts the response is problem details with <paramref name="status"/> and returns its body.</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    public static T Get<T>(this JsonElement problem, string property) =>
        problem.GetProperty(property).Deserialize<T>(Json.Options)!;
}
