using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>What a trace.dat file holds (Get-TraceFileInfo).</summary>
public sealed class TraceFileInfo
{
    public required string Path { get; init; }
    public int Version { get; init; }
    public required string Compression { get; init; }
    public string? Uname { get; init; }

    /// <summary>The host the file was recorded on (its UNAME option's nodename).</summary>
    public string? HostName => Events.EventFactory.HostOf(Uname);

    /// <summary>Unix time (ns) = a time stamp + this: the file's DATE option (trace-cmd record --date, Start-Trace -OutFile
    /// -WallClock), what files of several hosts are merged on; null without it.</summary>
    public long? WallClockOffsetNs { get; init; }

    /// <summary>How far this file's wall-clock times may be off, in ns (Start-Trace -WallClock measures the offset at the
    /// start and the end of the recording: their difference, the trace clock's drift, plus the measurements' windows).
    /// Two hosts' files line up to within the sum of their bounds, plus how far the hosts' wall clocks (NTP) differ.
    /// Null for files without it (trace-cmd's DATE has none).</summary>
    public long? WallClockBoundNs { get; init; }

    /// <summary>When the first record was made, as local wall-clock time (null without DATE).</summary>
    public DateTime? FirstTimeCreated => WallClockOffsetNs is { } off && FirstTimestampNs > 0
        ? DateTime.UnixEpoch.AddTicks(((long)FirstTimestampNs + off) / 100).ToLocalTime() : null;
    public string? TraceCmdVersion { get; init; }
    public required string Clock { get; init; }
    public int CpuCount { get; init; }
    public int PageSize { get; init; }
    public int LongSize { get; init; }
    public int KernelLongSize { get; init; }
    public required string[] Buffers { get; init; }
    public required CpuBufferStats[] CpuStats { get; init; }
    /// <summary>Event types whose format the file carries.</summary>
    public int FormatCount { get; init; }
    /// <summary>Event types that occur in the data, with their counts.</summary>
    public required IReadOnlyDictionary<string, long> EventCounts { get; init; }
    public long EventCount { get; init; }
    public long LostEventReports { get; init; }
    public ulong FirstTimestampNs { get; init; }
    public ulong LastTimestampNs { get; init; }
    public TimeSpan TimeSpan => TimeSpan.FromTicks((long)((LastTimestampNs - FirstTimestampNs) / 100));
    public long FileSize { get; init; }
    public int KallsymsLines { get; init; }
    public int PrintkFormats { get; init; }
    public int SavedCmdlines { get; init; }
    public string[] EventTypes => EventCounts.Keys.ToArray();

    /// <summary>What is wrong with the file though it could be read (it ends inside its trace data), or null.</summary>
    public string? Problem { get; init; }

    public override string ToString() => Path;

    /// <summary>Reads the metadata and walks the data of <paramref name="path"/> (all buffers) without making objects.</summary>
    public static TraceFileInfo Read(string path)
    {
        using var f = TraceDatFile.Open(path);
        var catalog = EventCatalog.FromFormats(f.HeaderPage, f.Formats);
        var counts = new Dictionary<int, long>();
        long events = 0, lost = 0;
        ulong first = ulong.MaxValue, last = 0;
        foreach (var b in f.Buffers)
        foreach (var cpu in b.Cpus)
        {
            var src = f.OpenPages(b, cpu, reuse: true);
            while (src.TryReadPageAt(out var page, out int start, out int len, out long off))
            {
                var dec = new PageDecoder(page.AsSpan(start, len), f.HeaderPage, f.Path, off);
                if (dec.MissedEvents) lost++;
                while (dec.Next(out ulong ts, out int o, out int l))
                {
                    events++;
                    int id = l >= 2 ? page[start + o] | page[start + o + 1] << 8 : -1;
                    counts[id] = counts.GetValueOrDefault(id) + 1;
                    if (ts < first) first = ts;
                    if (ts > last) last = ts;
                }
            }
        }
        var named = counts.OrderByDescending(kv => kv.Value)
            .ToDictionary(kv => catalog.GetById(kv.Key)?.FullName ?? $"unknown:id{kv.Key}", kv => kv.Value);
        var stats = f.CpuStats.Select((s, i) =>
        {
            int cpu = i;
            var firstLine = s.Split('\n', 2)[0];
            if (firstLine.StartsWith("CPU:", StringComparison.Ordinal) && int.TryParse(firstLine[4..].Trim(), out int c)) cpu = c;
            return CpuBufferStats.Parse("top", cpu, s);
        }).ToArray();
        return new TraceFileInfo
        {
            Path = f.Path, Version = f.Version, Compression = f.Compression == "none" ? "none" : $"{f.Compression} {f.CompressionVersion}".Trim(),
            Uname = f.Uname, WallClockOffsetNs = f.WallClockOffsetNs, WallClockBoundNs = f.WallClockBoundNs, TraceCmdVersion = f.TraceCmdVersion, Clock = f.Clock, CpuCount = f.CpuCount, PageSize = f.PageSize,
            LongSize = f.LongSize, KernelLongSize = f.HeaderPage.LongSize, Buffers = f.Buffers.Select(b => b.DisplayName).ToArray(),
            CpuStats = stats, FormatCount = f.Formats.Count, EventCounts = named, EventCount = events, LostEventReports = lost,
            FirstTimestampNs = events == 0 ? 0 : first, LastTimestampNs = last, FileSize = f.Length,
            KallsymsLines = f.Kallsyms.Count(ch => ch == '\n'), PrintkFormats = f.PrintkFormats.Count(ch => ch == '\n'),
            SavedCmdlines = f.SavedCmdlines.Count(ch => ch == '\n'),
            Problem = f.Truncation?.Message,
        };
    }
}
