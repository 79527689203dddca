using System.Buffers.Binary;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.RingBuffer;

/// <summary>
/// Walks one ring-buffer sub-buffer exactly as the kernel writes it: page header (timestamp, commit with
/// the RB_MISSED_EVENTS / RB_MISSED_STORED flags), then compressed event headers: type_len 1..28 short data,
/// 0 long data, 29 padding, 30 time extend, 31 absolute time stamp (59 bits, top bits restored).
/// Little-endian pages (every host LinuxTrace runs on). Allocation-free.
/// </summary>
public ref struct PageDecoder
{
    public const int TypePadding = 29, TypeTimeExtend = 30, TypeTimeStamp = 31;
    public const uint MissedEventsFlag = 1u << 31, MissedStoredFlag = 1u << 30;
    private const ulong CommitMask = (1UL << 27) - 1;
    private const ulong TsMsb = 0xf8UL << 56;

    private readonly ReadOnlySpan<byte> _page;
    private readonly int _dataStart;
    private readonly int _dataEnd;
    private int _pos;
    private ulong _ts;

    /// <param name="page">The whole sub-buffer (header included).</param>
    /// <param name="header">Layout from header_page.</param>
    /// <param name="source">File name for error messages; null for live buffers.</param>
    /// <param name="fileOffset">Offset of the page in its file, for error messages.</param>
    public PageDecoder(ReadOnlySpan<byte> page, HeaderPage header, string? source = null, long fileOffset = -1)
    {
        _page = page;
        Source = source;
        FileOffset = fileOffset;
        if (page.Length < header.DataOffset)
            throw new TraceDataException($"corrupt ring-buffer page: {page.Length} bytes is shorter than its {header.DataOffset}-byte header", source, fileOffset);
        PageTimestamp = BinaryPrimitives.ReadUInt64LittleEndian(page[header.TimestampOffset..]);
        ulong commit = header.CommitSize == 8
            ? BinaryPrimitives.ReadUInt64LittleEndian(page[header.CommitOffset..])
            : BinaryPrimitives.ReadUInt32LittleEndian(page[header.CommitOffset..]);
        uint flags = (uint)commit & (MissedEventsFlag | MissedStoredFlag);
        int length = (int)(commit & CommitMask);
        _dataStart = header.DataOffset;
        _dataEnd = _dataStart + length;
        if (_dataEnd > page.Length)
            throw new TraceDataException($"corrupt ring-buffer page: it claims {length} bytes of data but holds only {page.Length - _dataStart}", source, fileOffset);
        MissedEvents = (flags & MissedEventsFlag) != 0;
        MissedCount = -1;
        if ((flags & MissedStoredFlag) != 0 && _dataEnd + header.LongSize <= page.Length)
        {
            MissedCount = header.LongSize == 8
                ? (long)BinaryPrimitives.ReadUInt64LittleEndian(page[_dataEnd..])
                : BinaryPrimitives.ReadUInt32LittleEndian(page[_dataEnd..]);
        }
        _pos = _dataStart;
        _ts = PageTimestamp;
    }

    public string? Source { get; }
    public long FileOffset { get; }

    /// <summary>Base time stamp of the page.</summary>
    public ulong PageTimestamp { get; }

    /// <summary>Bytes of event data in the page.</summary>
    public readonly int DataLength => _dataEnd - _dataStart;

    /// <summary>Events were lost before this page (RB_MISSED_EVENTS).</summary>
    public bool MissedEvents { get; }

    /// <summary>How many were lost, when the kernel stored the count (RB_MISSED_STORED); -1 when unknown.</summary>
    public long MissedCount { get; }

    /// <summary>Moves to the next data event. <paramref name="offset"/> and <paramref name="length"/> locate its payload in the page.</summary>
    public bool Next(out ulong timestamp, out int offset, out int length)
    {
        var page = _page;
        while (_pos + 4 <= _dataEnd)
        {
            int at = _pos;
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(page[at..]);
            int typeLen = (int)(word & 0x1f);
            uint delta = word >> 5;
            switch (typeLen)
            {
                case TypePadding:
                    if (delta == 0) { _pos = _dataEnd; return Fail(out timestamp, out offset, out length); } // rest of page is empty
                    Need(at, 8);
                    _pos = at + 4 + (int)Checked(BinaryPrimitives.ReadUInt32LittleEndian(page[(at + 4)..]), at);
                    continue; // a discarded event: skip it, the kernel does not add its delta
                case TypeTimeExtend:
                    Need(at, 8);
                    _ts += ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(page[(at + 4)..]) << 27) + delta;
                    _pos = at + 8;
                    continue;
                case TypeTimeStamp:
                {
                    Need(at, 8);
                    ulong abs = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(page[(at + 4)..]) << 27) | delta;
                    if ((_ts & TsMsb) != 0)
                    {
                        abs |= _ts & TsMsb;
                        if (abs < _ts) abs += 1UL << 59;
                    }
                    _ts = abs;
                    _pos = at + 8;
                    continue;
                }
                case 0:
                {
                    Need(at, 8);
                    uint len = BinaryPrimitives.ReadUInt32LittleEndian(page[(at + 4)..]);
                    if (len < 4) throw Bad(at, $"long data event with length word {len} (must be at least 4)");
                    offset = at + 8;
                    length = (int)Checked(len - 4, at + 4);
                    Need(offset, length);
                    _pos = at + 4 + (int)((len + 3) & ~3u);
                    _ts += delta;
                    timestamp = _ts;
                    return true;
                }
                default:
                    offset = at + 4;
                    length = typeLen * 4;
                    Need(offset, length);
                    _pos = offset + length;
                    _ts += delta;
                    timestamp = _ts;
                    return true;
            }
        }
        return Fail(out timestamp, out offset, out length);
    }

    /// <summary>Time stamp after the last event decoded so far.</summary>
    public readonly ulong CurrentTimestamp => _ts;

    private static bool Fail(out ulong timestamp, out int offset, out int length)
    {
        timestamp = 0; offset = 0; length = 0;
        return false;
    }

    private readonly void Need(int at, int bytes)
    {
        if (bytes < 0 || at + bytes > _dataEnd)
            throw Bad(at, $"event of {bytes} bytes runs past the end of the page data ({_dataEnd - _dataStart} bytes)");
    }

    private readonly uint Checked(uint value, int at)
    {
        if (value > (uint)(_dataEnd - _dataStart)) throw Bad(at, $"event length {value} is larger than the page");
        return value;
    }

    private readonly TraceDataException Bad(int at, string what) =>
        new($"corrupt ring-buffer page: {what} (page offset {at})", Source, FileOffset >= 0 ? FileOffset + at : -1);
}
