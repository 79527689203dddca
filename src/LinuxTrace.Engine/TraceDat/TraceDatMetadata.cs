using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>Everything a trace.dat file carries besides the ring-buffer pages.</summary>
public sealed class TraceDatMetadata
{
    public required string HeaderPage { get; init; }
    public required string HeaderEvent { get; init; }
    /// <summary>(system, format text); "ftrace" formats go to their own section.</summary>
    public required IReadOnlyList<(string System, string Text)> Formats { get; init; }
    public string Kallsyms { get; init; } = "";
    public string PrintkFormats { get; init; } = "";
    public string SavedCmdlines { get; init; } = "";
    public int CpuCount { get; init; }
    public int PageSize { get; init; } = 4096;
    public string? Uname { get; init; }
    public string Version { get; init; } = "LinuxTrace " + typeof(TraceDatMetadata).Assembly.GetName().Version?.ToString(3);
    /// <summary>The trace_clock file: available clocks, the current one in brackets.</summary>
    public string TraceClockText { get; init; } = "[local]";
    public IReadOnlyList<string> CpuStats { get; init; } = Array.Empty<string>();
    /// <summary>The DATE option's text (microseconds from the trace clock to the wall clock, "0x…"), or null to write none.</summary>
    public string? Date { get; init; }
    /// <summary>Processes' mapped files, one PROCMAPS option each (what user stacks are resolved with).</summary>
    public IReadOnlyList<Symbols.ProcessMaps> ProcessMaps { get; init; } = Array.Empty<Symbols.ProcessMaps>();

    public string Clock => TraceDatFile.CurrentClock(TraceClockText) ?? "local";

    /// <summary>Metadata of a live kernel, with the formats of <paramref name="events"/> plus every ftrace format, the
    /// command names <paramref name="commands"/> knows, and the per-CPU statistics.</summary>
    public static TraceDatMetadata FromTracefs(TraceInstance instance, IEnumerable<EventName> events, CommandResolver commands, IReadOnlyList<CpuBufferStats>? stats = null,
        IReadOnlyList<Symbols.ProcessMaps>? processMaps = null, long? wallClockOffsetNs = null, long? wallClockBoundNs = null)
    {
        var fs = instance.Tracefs;
        var catalog = EventCatalog.ForTracefs(fs);
        var formats = new List<(string, string)>();
        foreach (var e in EventSelector.Available(fs.Top, includeFtrace: true).Where(e => e.System == "ftrace").Concat(events.Where(e => e.System != "ftrace")).Distinct())
        {
            if (catalog.GetByName(e.System, e.Name) is { } f) formats.Add((e.System, f.Text));
        }
        string Read(string p) => TracefsFile.TryRead(p, out var t) ? t : "";
        return new TraceDatMetadata
        {
            HeaderPage = catalog.HeaderPageText,
            HeaderEvent = catalog.HeaderEventText,
            Formats = formats,
            Kallsyms = Read("/proc/kallsyms"),
            PrintkFormats = fs.PrintkFormats ?? "",
            SavedCmdlines = commands.ToSavedCmdlines(),
            CpuCount = Environment.ProcessorCount > 0 ? Math.Max(Environment.ProcessorCount, instance.Cpus.Count) : instance.Cpus.Count,
            PageSize = instance.SubBufferSizeKB * 1024,
            Uname = Uname_(),
            TraceClockText = instance.ReadFile("trace_clock").Trim(),
            CpuStats = (stats ?? instance.GetCpuStats()).Select(FormatStats).ToArray(),
            ProcessMaps = processMaps ?? Array.Empty<Symbols.ProcessMaps>(),
            Date = DateText(wallClockOffsetNs, wallClockBoundNs),
        };
    }

    /// <summary>
    /// The DATE option's text for an offset in ns, as trace-cmd record --date writes it: microseconds in C hex. With
    /// <paramref name="boundNs"/>, LinuxTrace adds how far that offset may be off after a NUL (<see cref="TraceDatFile.BoundMarker"/>):
    /// trace-cmd reads DATE with strtoll, which stops there, and prints it as a C string, which ends there.
    /// </summary>
    public static string? DateText(long? offsetNs, long? boundNs = null) => offsetNs is { } ns
        ? (ns < 0 ? "-0x" : "0x") + (Math.Abs(ns) / 1000).ToString("x", System.Globalization.CultureInfo.InvariantCulture) + BoundText(boundNs)
        : null;

    private static string BoundText(long? boundNs) =>
        boundNs is { } b ? "\0" + TraceDatFile.BoundMarker + b.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";

    /// <summary>Metadata copied from an existing file (for converting between versions and compressions).</summary>
    public static TraceDatMetadata FromFile(TraceDatFile f) => new()
    {
        HeaderPage = f.HeaderPageText,
        HeaderEvent = f.HeaderEventText,
        Formats = f.Formats.Select(x => (x.System, x.Text)).ToArray(),
        Kallsyms = f.Kallsyms,
        PrintkFormats = f.PrintkFormats,
        SavedCmdlines = f.SavedCmdlines,
        CpuCount = f.CpuCount,
        PageSize = f.PageSize,
        Uname = f.Uname,
        TraceClockText = f.TraceClockText ?? $"[{f.Clock}]",
        CpuStats = f.CpuStats,
        ProcessMaps = f.ProcessMaps,
        Date = f.Date is null ? null : f.Date + BoundText(f.WallClockBoundNs),
    };

    internal static string FormatStats(CpuBufferStats s) =>
        $"CPU: {s.Cpu}\nentries: {s.Entries}\noverrun: {s.Overrun}\ncommit overrun: {s.CommitOverrun}\nbytes: {s.Bytes}\n" +
        $"oldest event ts: {s.OldestEventTs:F6}\nnow ts: {s.NowTs:F6}\ndropped events: {s.DroppedEvents}\nread events: {s.ReadEvents}\n";

    private static string? Uname_()
    {
        try
        {
            string release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            string host = File.ReadAllText("/proc/sys/kernel/hostname").Trim();
            string arch = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
            {
                System.Runtime.InteropServices.Architecture.X64 => "x86_64",
                System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
                var a => a.ToString().ToLowerInvariant(),
            };
            return $"Linux {host} {release} {arch}";
        }
        catch (IOException) { return null; }
    }
}
