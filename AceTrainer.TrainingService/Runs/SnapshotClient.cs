using System.Net;
using System.Net.Http.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.TrainingService.Runs;

/// <summary>Reads dataset snapshots (and their audio) from the DatasetService, found the Aspire way (services:datasetservice:http:0).</summary>
public sealed class SnapshotClient(HttpClient http)
{
    public const string ServiceName = "datasetservice";

    /// <summary>The snapshot, or null when the DatasetService does not know it (404).</summary>
    public async Task<DatasetSnapshot?> GetAsync(string snapshotId, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync($"/api/snapshots/{Uri.EscapeDataString(snapshotId)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<DatasetSnapshot>(JsonDefaults.Options, cancellationToken);
    }

    /// <summary>Downloads one sample's audio to <paramref name="path"/> (via a temporary name, so a cut download leaves nothing).</summary>
    public async Task DownloadAudioAsync(string snapshotId, string stem, string path, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync($"/api/snapshots/{Uri.EscapeDataString(snapshotId)}/samples/{Uri.EscapeDataString(stem)}/audio",
            HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
        await LocalFile.SaveAsync(content, path, cancellationToken);
    }

    public static void Configure(IServiceProvider services, HttpClient http)
    {
        var url = services.GetRequiredService<IConfiguration>()[$"services:{ServiceName}:http:0"];
        if (!string.IsNullOrEmpty(url)) http.BaseAddress = new Uri(url);
        http.Timeout = TimeSpan.FromMinutes(10);
    }
}
