using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Formats;

/// <summary>The ring-buffer page header layout, from events/header_page.</summary>
public sealed class HeaderPage
{
    public int TimestampOffset { get; init; }
    public int CommitOffset { get; init; }
    /// <summary>Size of the commit field: the kernel's sizeof(long).</summary>
    public int CommitSize { get; init; } = 8;
    /// <summary>Where event data starts in a page.</summary>
    public int DataOffset { get; init; } = 16;
    /// <summary>Bytes of data a page can hold (size of the data field).</summary>
    public int DataSize { get; init; } = 4080;

    /// <summary>The kernel's sizeof(long).</summary>
    public int LongSize => CommitSize;

    /// <summary>Bytes of event data a page holds (its commit field without the missed-events flags).</summary>
    public int DataLength(ReadOnlySpan<byte> page)
    {
        if (page.Length < CommitOffset + CommitSize) return 0;
        ulong commit = CommitSize == 8
            ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(page[CommitOffset..])
            : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(page[CommitOffset..]);
        return (int)(commit & ((1UL << 27) - 1));
    }

    public static HeaderPage Default64 { get; } = new();

    public static HeaderPage Parse(string text, string? source = null)
    {
        int ts = -1, commit = -1, commitSize = -1, data = -1, dataSize = -1;
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (!line.StartsWith("field:", StringComparison.Ordinal)) continue;
            var f = FormatParser.ParseField(line.Replace("field: ", "field:"), 8, "header_page", null, source);
            switch (f.Name)
            {
                case "timestamp": ts = f.Offset; break;
                case "commit": commit = f.Offset; commitSize = f.Size; break;
                case "data": data = f.Offset; dataSize = f.Size; break;
            }
        }
        if (ts < 0 || commit < 0 || data < 0)
            throw new TraceDataException("header_page lacks the timestamp, commit or data field", source);
        if (commitSize is not (4 or 8))
            throw new TraceDataException($"header_page has a commit field of {commitSize} bytes; expected 4 or 8", source);
        return new HeaderPage { TimestampOffset = ts, CommitOffset = commit, CommitSize = commitSize, DataOffset = data, DataSize = dataSize };
    }

    /// <summary>Checks that header_event describes the modern event header (type_len 5 bits, 29/30/31 specials).</summary>
    public static void ValidateHeaderEvent(string text, string? source = null)
    {
        if (!text.Contains("type_len") || !text.Contains("29") || !text.Contains("30"))
            throw new TraceDataException("header_event describes an event header this reader does not know (pre-2.6.31 kernel?)", source);
    }
}
