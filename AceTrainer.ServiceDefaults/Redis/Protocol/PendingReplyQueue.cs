namespace AceTrainer.ServiceDefaults.Redis.Protocol;

/// <summary>A growable ring buffer of replies awaited in wire order; indexable so the timeout sweep can scan it. Not thread-safe.</summary>
internal sealed class PendingReplyQueue
{
    private PendingReply?[] _items = new PendingReply?[64];
    private int _head;

    public int Count { get; private set; }

    public PendingReply this[int index] => _items[(_head + index) % _items.Length]!;

    public void Enqueue(PendingReply reply)
    {
        if (Count == _items.Length)
        {
            var grown = new PendingReply?[_items.Length * 2];
            for (var i = 0; i < Count; i++)
            {
                grown[i] = this[i];
            }
            _items = grown;
            _head = 0;
        }
        _items[(_head + Count) % _items.Length] = reply;
        Count++;
    }

    public bool TryDequeue(out PendingReply reply)
    {
        if (Count == 0)
        {
            reply = null!;
            return false;
        }
        reply = _items[_head]!;
        _items[_head] = null;
        _head = (_head + 1) % _items.Length;
        Count--;
        return true;
    }
}
