using LinuxTrace.Engine.Formats;

namespace LinuxTrace.Engine.RingBuffer;

/// <summary>
/// The records of one CPU in time order, decoded a page at a time from an <see cref="IPageSource"/>.
/// A page whose header says events were missed yields a lost-events marker before its first record.
/// </summary>
public sealed class CpuCursor
{
    private readonly IPageSource _source;
    private readonly HeaderPage _header;
    private readonly string? _file;
    private RecordRef[] _records = new RecordRef[256];
    private int _index;
    private int _count;
    private ulong _lastTs;

    private readonly LossAccount? _losses;

    public CpuCursor(int cpu, IPageSource source, HeaderPage header, string? file = null, LossAccount? losses = null)
    {
        Cpu = cpu;
        _source = source;
        _header = header;
        _file = file;
        _losses = losses;
    }

    /// <summary>Time stamp of the last record decoded on this CPU (0 before any).</summary>
    public ulong LastTimestamp => _lastTs;

    public int Cpu { get; }

    /// <summary>Index of the source (file) this cursor reads, copied into every record.</summary>
    public int SourceIndex { get; init; }

    /// <summary>Pages decoded so far.</summary>
    public long Pages { get; private set; }

    /// <summary>The current record; valid after <see cref="MoveNext"/> returned true.</summary>
    public ref RecordRef Current => ref _records[_index];

    /// <summary>Advances to the next record, decoding the next page when needed.</summary>
    public bool MoveNext()
    {
        if (++_index < _count) return true;
        while (_source.TryReadPage(out var page, out int length, out long fileOffset))
        {
            if (ReferenceEquals(page, PageQueue.DroppedPage))
            {
                // the reader queue dropped a page of `length` events at time `fileOffset`
                _index = 0;
                _count = 0;
                ulong at = (ulong)fileOffset;
                Add(new RecordRef { Timestamp = at, Page = page, Cpu = Cpu, Lost = length, LostSince = _lastTs, Source = SourceIndex, DroppedByReader = true });
                if (at > _lastTs) _lastTs = at;
                return true;
            }
            Pages++;
            if (Decode(page, length, fileOffset)) return true;
        }
        _count = 0;
        _index = 0;
        return false;
    }

    private bool Decode(byte[] page, int length, long fileOffset)
    {
        _index = 0;
        _count = 0;
        var dec = new PageDecoder(page.AsSpan(0, length), _header, _file, fileOffset);
        if (dec.MissedEvents)
        {
            long count = _losses?.Resolve(Cpu, dec.MissedCount) ?? dec.MissedCount;
            Add(new RecordRef { Timestamp = dec.PageTimestamp, Page = page, Cpu = Cpu, Lost = count, LostSince = _lastTs, Source = SourceIndex });
        }
        while (dec.Next(out ulong ts, out int off, out int len))
        {
            Add(new RecordRef { Timestamp = ts, Page = page, Offset = off, Length = len, Cpu = Cpu, Lost = -2, Source = SourceIndex });
        }
        if (_count > 0) _lastTs = _records[_count - 1].Timestamp;
        return _count > 0;
    }

    private void Add(in RecordRef r)
    {
        if (_count == _records.Length) Array.Resize(ref _records, _records.Length * 2);
        _records[_count++] = r;
    }
}
