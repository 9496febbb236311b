using System.Net;
using System.Net.Http.Headers;
using AceTrainer.DatasetService.Tests.Support;

namespace AceTrainer.DatasetService.Tests;

[Collection(DatasetServiceCollection.Name)]
public sealed class AudioStreamingTests(DatasetServiceFixture service)
{
    [Fact]
    public async Task Whole_file_is_200_and_advertises_ranges()
    {
        var (url, bytes) = await UploadedAsync();
        var response = await service.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Equal("audio/flac", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(0L, 99L)]
    [InlineData(1000L, null)]
    [InlineData(null, 500L)]
    public async Task A_range_is_206_with_exactly_those_bytes(long? from, long? to)
    {
        var (url, bytes) = await UploadedAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(from, to);
        var response = await service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        var (start, end) = from is { } f ? (f, Math.Min(to ?? bytes.Length - 1, bytes.Length - 1)) : (bytes.Length - to!.Value, bytes.Length - 1L);
        Assert.Equal($"bytes {start}-{end}/{bytes.Length}", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Equal(bytes[(int)start..(int)(end + 1)], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_range_past_the_end_is_416()
    {
        var (url, bytes) = await UploadedAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(bytes.Length, null);
        var response = await service.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{bytes.Length}", response.Content.Headers.ContentRange?.ToString());
    }

    private async Task<(string Url, byte[] Bytes)> UploadedAsync()
    {
        var dataset = await service.CreateDatasetAsync();
        var stem = (await service.UploadOkAsync(dataset.Id, new UploadPart(service.Audio["noise.flac"]))).Samples.Single().Stem;
        return ($"/api/datasets/{dataset.Id}/samples/{stem}/audio", await File.ReadAllBytesAsync(service.Audio["noise.flac"]));
    }
}
