using LinuxTrace.Engine.Formats;

namespace LinuxTrace.Engine.RingBuffer;

/// <summary>
/// The records of one CPU in time order, walked one at a time through the pages of an <see cref="IPageSource"/>
/// (nothing is decoded ahead or copied). A page whose header says events were missed yields a lost-events marker
/// before its first record.
/// </summary>
public sealed class CpuCursor
{
    private readonly IPageSource _source;
    private readonly HeaderPage _header;
    private readonly string? _file;
    private readonly LossAccount? _losses;

    // the page being walked: the record after Current starts at _pos
    private byte[]? _page;
    private int _pageStart, _pageLength;   // the page is _page[_pageStart.._pageStart+_pageLength]
    private int _pos, _dataStart, _dataEnd; // relative to the page
    private ulong _ts;
    private long _fileOffset;

    private RecordRef _current;
    private bool _currentIsMarker;
    private ulong _lastTs;

    public CpuCursor(int cpu, IPageSource source, HeaderPage header, string? file = null, LossAccount? losses = null)
    {
        Cpu = cpu;
        _source = source;
        _header = header;
        _file = file;
        _losses = losses;
        _current.Cpu = cpu;
        _current.Page = [];
        _current.Lost = -2;
    }

    /// <summary>Time stamp of the last record decoded on this CPU (0 before any).</summary>
    public ulong LastTimestamp => _lastTs == 0 ? 0 : unchecked(_lastTs + (ulong)TimeShiftNs);

    public int Cpu { get; }

    /// <summary>Index of the source (file) this cursor reads, copied into every record.</summary>
    public int SourceIndex { get => _current.Source; init => _current.Source = value; }

    /// <summary>Pages decoded so far.</summary>
    public long Pages { get; private set; }

    /// <summary>The current record; valid after <see cref="MoveNext"/> returned true.</summary>
    public ref RecordRef Current => ref _current;

    /// <summary>The current record's time stamp (for the merge).</summary>
    public ulong Timestamp => _current.Timestamp;

    /// <summary>Added to every time stamp this cursor gives: a file's records moved onto another file's clock when
    /// files from several hosts or clocks are merged on one timeline (0: as recorded).</summary>
    public long TimeShiftNs { get; init; }

    /// <summary>Advances to the next record, reading the next page when the current one is done. After false (no page
    /// available yet, as in a live queue), a later call tries again.</summary>
    public bool MoveNext()
    {
        if (_page is not null && Step()) return true;
        _page = null;
        while (_source.TryReadPageAt(out var page, out int start, out int length, out long fileOffset))
        {
            if (ReferenceEquals(page, PageQueue.DroppedPage))
            {
                // the reader queue dropped a page of `length` events at time `fileOffset`
                ulong at = (ulong)fileOffset;
                Marker(page, at, length, dropped: true);
                if (at > _lastTs) _lastTs = at;
                return true;
            }
            Pages++;
            var dec = new PageDecoder(page.AsSpan(start, length), _header, _file, fileOffset);
            _page = page;
            _pageStart = start;
            _pageLength = length;
            _pos = _dataStart = dec.DataStart;
            _dataEnd = dec.DataEnd;
            _ts = dec.PageTimestamp;
            _fileOffset = fileOffset;
            if (dec.MissedEvents)
            {
                long count = _losses?.Resolve(Cpu, dec.MissedCount) ?? dec.MissedCount;
                Marker(page, dec.PageTimestamp, count, dropped: false);
                return true;
            }
            if (Step()) return true;
            _page = null;
        }
        return false;
    }

    private bool Step()
    {
        if (!PageDecoder.Next(_page.AsSpan(_pageStart, _pageLength), ref _pos, _dataStart, _dataEnd, ref _ts, out ulong ts, out int offset, out int length, _file, _fileOffset))
            return false;
        ref var c = ref _current;
        if (_currentIsMarker)
        {
            _currentIsMarker = false;
            c.Lost = -2;
            c.LostSince = 0;
            c.DroppedByReader = false;
        }
        if (!ReferenceEquals(c.Page, _page)) c.Page = _page!;
        c.Timestamp = unchecked(ts + (ulong)TimeShiftNs);
        c.Offset = _pageStart + offset;
        c.Length = length;
        _lastTs = ts;
        return true;
    }

    private void Marker(byte[] page, ulong at, long count, bool dropped)
    {
        ref var c = ref _current;
        c.Page = page;
        c.Timestamp = unchecked(at + (ulong)TimeShiftNs);
        c.Offset = 0;
        c.Length = 0;
        c.Lost = count;
        c.LostSince = _lastTs == 0 ? 0 : unchecked(_lastTs + (ulong)TimeShiftNs);
        c.DroppedByReader = dropped;
        _currentIsMarker = true;
    }
}
