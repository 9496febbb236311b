using System.Net;

namespace AceTrainer.ServiceDefaults.Blobs;

/// <summary>
/// A request body read from the caller's stream, which stays the caller's: unlike StreamContent, disposing the
/// request does not dispose it. The length is declared up front because SharedKey signs Content-Length.
/// </summary>
internal sealed class BorrowedStreamContent : HttpContent
{
    private const int CopyBufferBytes = 1 << 20;
    private readonly Stream _source;
    private readonly long _length;

    public BorrowedStreamContent(Stream source, long length)
    {
        _source = source;
        _length = length;
        Headers.ContentLength = length;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = new byte[CopyBufferBytes];
        var left = _length;
        while (left > 0)
        {
            var read = await _source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            if (read == 0)
            {
                throw new IOException($"The upload stream ended {left} bytes before its declared length.");
            }
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            left -= read;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
