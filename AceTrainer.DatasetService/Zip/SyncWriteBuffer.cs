namespace AceTrainer.DatasetService.Zip;

/// <summary>
/// Write-only wrapper for a response body. ZipArchive writes an entry's data descriptor synchronously when the entry's
/// stream is disposed (even through DisposeAsync), which Kestrel refuses; those few bytes are held here and sent ahead
/// of the next asynchronous write or flush.
/// </summary>
public sealed class SyncWriteBuffer(Stream inner) : Stream
{
    private const int MaxHeldBytes = 64 * 1024;
    private readonly MemoryStream _held = new();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_held.Length + buffer.Length > MaxHeldBytes)
        {
            throw new InvalidOperationException($"More than {MaxHeldBytes} bytes written synchronously to the response.");
        }
        _held.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SendHeldAsync(cancellationToken);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendHeldAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await SendHeldAsync(CancellationToken.None);
        await base.DisposeAsync();
    }

    // Nothing to do synchronously: held bytes go out with the next asynchronous call.
    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task SendHeldAsync(CancellationToken cancellationToken)
    {
        if (_held.Length == 0)
        {
            return;
        }
        await inner.WriteAsync(_held.GetBuffer().AsMemory(0, (int)_held.Length), cancellationToken);
        _held.SetLength(0);
    }
}
