using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    /// <summary>Where event data starts and ends in the page.</summary>
    public readonly int DataStart => _dataStart;
    public readonly int DataEnd => _dataEnd;

    /// <summary>Bytes of event data in the page.</summary>
    public readonly int DataLength => _dataEnd - _dataStart;

    /// <summary>Events were lost before this page (RB_MISSED_EVENTS).</summary>
    public bool MissedEvents { get; }

    /// <summary>How many were lost, when the kernel stored the count (RB_MISSED_STORED); -1 when unknown.</summary>
    public long MissedCount { get; }

    /// <summary>Moves to the next data event. <paramref name="offset"/> and <paramref name="length"/> locate its payload in the page.</summary>
    public bool Next(out ulong timestamp, out int offset, out int length) =>
        Next(_page, ref _pos, _dataStart, _dataEnd, ref _ts, out timestamp, out offset, out length, Source, FileOffset);

    /// <summary>
    /// The event walk itself, for readers that keep their place in a page between calls (<see cref="CpuCursor"/>):
    /// from <paramref name="pos"/>, skips padding and applies time extends and absolute stamps to
    /// <paramref name="ts"/>, and stops at the next data event.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Next(ReadOnlySpan<byte> page, ref int pos, int dataStart, int dataEnd, ref ulong ts,
        out ulong timestamp, out int offset, out int length, string? source, long fileOffset)
    {
        // the common case inline: a short data event (type_len 1..28) that fits the page data
        int at = pos;
        if (at + 4 <= dataEnd && (uint)dataEnd <= (uint)page.Length)
        {
            uint word = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(page), at));
            uint typeLen = word & 0x1f;
            if (typeLen - 1 < TypePadding - 1 && at + 4 + (int)typeLen * 4 <= dataEnd)
            {
                offset = at + 4;
                length = (int)typeLen * 4;
                pos = offset + length;
                ts += word >> 5;
                timestamp = ts;
                return true;
            }
        }
        return NextSlow(page, ref pos, dataStart, dataEnd, ref ts, out timestamp, out offset, out length, source, fileOffset);
    }

    private static bool NextSlow(ReadOnlySpan<byte> page, ref int pos, int dataStart, int dataEnd, ref ulong ts,
        out ulong timestamp, out int offset, out int length, string? source, long fileOffset)
    {
        while (pos + 4 <= dataEnd)
        {
            int at = pos;
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(page[at..]);
            int typeLen = (int)(word & 0x1f);
            uint delta = word >> 5;
            if (typeLen < TypePadding && typeLen > 0)
            {
                // the common case first: a short data event (type_len words of payload)
                offset = at + 4;
                length = typeLen * 4;
                if (offset + length > dataEnd) throw Bad(at, $"event of {length} bytes runs past the end of the page data ({dataEnd - dataStart} bytes)", source, fileOffset);
                pos = offset + length;
                ts += delta;
                timestamp = ts;
                return true;
            }
            if (typeLen == TypePadding && delta == 0) { pos = dataEnd; return Fail(out timestamp, out offset, out length); } // rest of page is empty
            if (at + 8 > dataEnd) throw Bad(at, $"event of 8 bytes runs past the end of the page data ({dataEnd - dataStart} bytes)", source, fileOffset);
            uint word2 = BinaryPrimitives.ReadUInt32LittleEndian(page[(at + 4)..]);
            switch (typeLen)
            {
                case TypePadding:
                    if (word2 > (uint)(dataEnd - dataStart)) throw Bad(at, $"event length {word2} is larger than the page", source, fileOffset);
                    pos = at + 4 + (int)word2;
                    continue; // a discarded event: skip it, the kernel does not add its delta
                case TypeTimeExtend:
                    ts += ((ulong)word2 << 27) + delta;
                    pos = at + 8;
                    continue;
                case TypeTimeStamp:
                {
                    ulong abs = ((ulong)word2 << 27) | delta;
                    if ((ts & TsMsb) != 0)
                    {
                        abs |= ts & TsMsb;
                        if (abs < ts) abs += 1UL << 59;
                    }
                    ts = abs;
                    pos = at + 8;
                    continue;
                }
                default: // 0: long data, its length in the next word
                {
                    if (word2 < 4) throw Bad(at, $"long data event with length word {word2} (must be at least 4)", source, fileOffset);
                    if (word2 - 4 > (uint)(dataEnd - dataStart)) throw Bad(at + 4, $"event length {word2 - 4} is larger than the page", source, fileOffset);
                    offset = at + 8;
                    length = (int)(word2 - 4);
                    if (offset + length > dataEnd) throw Bad(offset, $"event of {length} bytes runs past the end of the page data ({dataEnd - dataStart} bytes)", source, fileOffset);
                    pos = at + 4 + (int)((word2 + 3) & ~3u);
                    ts += delta;
                    timestamp = ts;
                    return true;
                }
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

    private static TraceDataException Bad(int at, string what, string? source, long fileOffset) =>
        new($"corrupt ring-buffer page: {what} (page offset {at})", source, fileOffset >= 0 ? fileOffset + at : -1);
}
