using System.Globalization;

namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// One ftrace instance: the top (global) buffer or a named one under instances/. Typed access to its
/// tracer, options, events, filters, pid filters, buffer size, clock and per-CPU ring-buffer statistics.
/// </summary>
public sealed partial class TraceInstance
{
    internal TraceInstance(TraceFileSystem tracefs, string name, string path)
    {
        Tracefs = tracefs;
        Name = name;
        Path = path;
    }

    public TraceFileSystem Tracefs { get; }

    /// <summary>The instance name; empty for the top instance.</summary>
    public string Name { get; }

    public bool IsTop => Name.Length == 0;

    public string DisplayName => IsTop ? "top" : Name;

    /// <summary>Absolute directory of the instance.</summary>
    public string Path { get; }

    public override string ToString() => DisplayName;

    public string FilePath(string relative) => System.IO.Path.Combine(Path, relative);

    public bool HasFile(string relative) => File.Exists(FilePath(relative));

    /// <summary>False once the instance's directory is gone (removed, by LinuxTrace or anyone).</summary>
    public bool Exists => Directory.Exists(Path);

    /// <summary>When the instance was made: tracefs gives an instance's directory the time of its mkdir, and nothing in
    /// it changes that (null for the top level, made at boot, or when the directory is gone).</summary>
    public DateTime? CreationTime
    {
        get
        {
            if (IsTop || !Exists) return null;
            try { return Directory.GetLastWriteTime(Path); } catch (IOException) { return null; }
        }
    }

    public string ReadFile(string relative) => TracefsFile.Read(FilePath(relative));

    /// <summary>Writes a control file; on EINVAL the kernel's error_log entry is attached to the exception.</summary>
    public void WriteFile(string relative, string value, bool append = false)
    {
        string path = FilePath(relative);
        try
        {
            TracefsFile.Write(path, value, append);
        }
        catch (TraceException e) when (e.Kind == TraceErrorKind.InvalidArgument)
        {
            throw ErrorLog.Explain(this, e, value);
        }
    }

    // ---- tracer ---------------------------------------------------------------------------------

    public IReadOnlyList<string> AvailableTracers =>
        ReadFile("available_tracers").Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);

    public string CurrentTracer
    {
        get => ReadFile("current_tracer").Trim();
        set
        {
            if (!AvailableTracers.Contains(value))
            {
                throw new TraceException(TraceErrorKind.NotSupported,
                    $"The tracer '{value}' is not available in instance '{DisplayName}'. Available: {string.Join(", ", AvailableTracers)}.",
                    FilePath("current_tracer")) { ErrorId = "TracerNotAvailable" };
            }
            WriteFile("current_tracer", value);
        }
    }

    // ---- on/off, buffer, clock ------------------------------------------------------------------

    public bool TracingOn
    {
        get => ReadFile("tracing_on").Trim() == "1";
        set => WriteFile("tracing_on", value ? "1" : "0");
    }

    /// <summary>The size the buffers will take when first used, while they are still unallocated placeholders
    /// (buffer_size_kb reads "7 (expanded: 1408)": 1408); null once they are allocated.</summary>
    public int? UnexpandedBufferSizeKB =>
        TracefsFile.TryRead(FilePath("buffer_size_kb"), out var text) && text.Contains("expanded:", StringComparison.Ordinal) ? ParseBufferSize(text) : null;

    /// <summary>Gives allocated buffers the size <paramref name="kb"/> they were waiting for (kernel 6.1: a tracer set in
    /// an instance allocates the top buffers at their small placeholder size); buffers still unallocated are left alone.</summary>
    public void RestoreExpandedBufferSize(int kb)
    {
        if (TracefsFile.TryRead(FilePath("buffer_size_kb"), out var text) && !text.Contains("expanded", StringComparison.Ordinal))
            WriteFile("buffer_size_kb", kb.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Empties the ring buffers (writes the trace file).</summary>
    public void ClearBuffer() => WriteFile("trace", "");

    /// <summary>Turns every event of the instance off (events/enable).</summary>
    public void DisableAllEvents() => WriteFile("events/enable", "0");

    /// <summary>
    /// The one way an instance ends: recording off, its tracer back to nop, every event off (so the kernel lets it go),
    /// then the directory removed. Every step is tried; the failures are returned (the top instance is never removed).
    /// </summary>
    public IReadOnlyList<TraceException> Retire()
    {
        var errors = new List<TraceException>();
        void Try(Action a) { try { a(); } catch (TraceException e) { errors.Add(e); } }
        Try(() => TracingOn = false);
        Try(() => { if (HasFile("current_tracer") && CurrentTracer != "nop") WriteFile("current_tracer", "nop"); });
        Try(DisableAllEvents);
        if (!IsTop) Try(() => Tracefs.RemoveInstance(Name));
        return errors;
    }

    /// <summary>Ring-buffer size per CPU in KB (buffer_size_kb).</summary>
    public int BufferSizeKB
    {
        get => ParseBufferSize(ReadFile("buffer_size_kb"));
        set
        {
            if (value <= 0) throw new TraceException(TraceErrorKind.InvalidArgument, $"Buffer size must be positive, not {value} KB.");
            WriteFile("buffer_size_kb", value.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Total ring-buffer size over all CPUs in KB.</summary>
    public int BufferTotalSizeKB => ParseBufferSize(ReadFile("buffer_total_size_kb"));

    /// <summary>Sub-buffer (page) size in KB; 4 when the kernel has no buffer_subbuf_size_kb.</summary>
    public int SubBufferSizeKB => HasFile("buffer_subbuf_size_kb") ? ParseBufferSize(ReadFile("buffer_subbuf_size_kb")) : Environment.SystemPageSize / 1024;

    /// <summary>Reader wake-up watermark in percent of the buffer (buffer_percent).</summary>
    public int BufferPercent
    {
        get => HasFile("buffer_percent") ? int.Parse(ReadFile("buffer_percent").Trim(), CultureInfo.InvariantCulture) : -1;
        set => WriteFile("buffer_percent", value.ToString(CultureInfo.InvariantCulture));
    }

    // "7 (expanded: 1408)" while the buffer is not yet allocated; "1408" once it is.
    /// <summary>Reads buffer_size_kb text: "1408", or "7 (expanded: 1408)" while the buffer is not yet allocated (1408).</summary>
    public static int ParseBufferSize(string text)
    {
        text = text.Trim();
        int exp = text.IndexOf("expanded:", StringComparison.Ordinal);
        if (exp >= 0) text = text[(exp + 9)..].TrimEnd(')', ' ');
        int sp = text.IndexOfAny([' ', '\n']);
        if (sp > 0) text = text[..sp];
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : -1;
    }

    public IReadOnlyList<string> AvailableClocks =>
        ReadFile("trace_clock").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim('[', ']')).ToArray();

    public string Clock
    {
        get
        {
            foreach (var c in ReadFile("trace_clock").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
                if (c.StartsWith('[')) return c.Trim('[', ']');
            return "local";
        }
        set
        {
            if (!AvailableClocks.Contains(value))
                throw new TraceException(TraceErrorKind.InvalidArgument,
                    $"'{value}' is not a trace clock of this kernel. Available: {string.Join(", ", AvailableClocks)}.", FilePath("trace_clock")) { ErrorId = "ClockNotAvailable" };
            WriteFile("trace_clock", value);
        }
    }

    // ---- markers ----------------------------------------------------------------------------------

    /// <summary>Writes a marker (an ftrace:print record) into this instance's buffer through its trace_marker.</summary>
    public void WriteMarker(string text) => WriteFile("trace_marker", text, append: true);

    // ---- per-CPU ring buffers --------------------------------------------------------------------

    /// <summary>The CPUs this instance has ring buffers for (per_cpu/cpuN).</summary>
    public IReadOnlyList<int> Cpus
    {
        get
        {
            var dir = FilePath("per_cpu");
            if (!Directory.Exists(dir)) return Array.Empty<int>();
            return Directory.GetDirectories(dir)
                .Select(d => System.IO.Path.GetFileName(d))
                .Where(n => n.StartsWith("cpu", StringComparison.Ordinal))
                .Select(n => int.Parse(n.AsSpan(3), CultureInfo.InvariantCulture))
                .Order().ToArray();
        }
    }

    /// <summary>Clocks whose time stamps are nanoseconds (the others count cycles or jiffies).</summary>
    internal static readonly string[] NanosecondClocks = ["local", "global", "mono", "mono_raw", "boot", "tai", "perf"];

    /// <summary>
    /// How far the wall clock is ahead of this instance's trace clock, in nanoseconds (Unix time = time stamp + offset),
    /// or null when the clock does not count nanoseconds. The trace clock's "now ts" (per_cpu/cpu0/stats, microseconds)
    /// is read between two wall-clock readings and paired with their middle: accurate to a few microseconds.
    /// </summary>
    public long? WallClockOffsetNs() => ReadWallClock()?.OffsetNs;

    /// <summary>As <see cref="WallClockOffsetNs()"/>, with how far the measurement may be off: half the time between the
    /// two wall-clock readings, plus 2 µs: the trace clock is read in whole microseconds, and DATE stores whole microseconds.
    /// The best of <see cref="WallClockSamples"/> readings is kept (the narrowest pair, as NTP keeps its shortest round
    /// trip): on a busy host one reading can be preempted between its wall-clock reads and widen the bound to milliseconds.</summary>
    public WallClockReading? ReadWallClock()
    {
        if (!NanosecondClocks.Contains(Clock)) return null;
        int cpu = Cpus.Count > 0 ? Cpus[0] : 0;
        WallClockReading? best = null;
        for (int i = 0; i < WallClockSamples; i++)
        {
            long before = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks;
            string text = ReadFile($"per_cpu/cpu{cpu}/stats");
            long after = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks;
            var now = CpuBufferStats.Parse(DisplayName, cpu, text).NowTs;
            if (now <= 0) return null;
            long wallNs = (before + (after - before) / 2) * 100;
            var reading = new WallClockReading(wallNs - (long)Math.Round(now * 1e6) * 1000, (after - before) * 100 / 2 + 2000);
            if (best is null || reading.UncertaintyNs < best.Value.UncertaintyNs) best = reading;
        }
        return best;
    }

    /// <summary>Readings per <see cref="ReadWallClock"/>: each is one small tracefs read (about 10 µs).</summary>
    internal const int WallClockSamples = 8;

    /// <summary>One CPU's buffer statistics (per_cpu/cpuN/stats).</summary>
    public CpuBufferStats GetCpuStats(int cpu) => CpuBufferStats.Parse(DisplayName, cpu, ReadFile($"per_cpu/cpu{cpu}/stats"));

    public IReadOnlyList<CpuBufferStats> GetCpuStats() =>
        Cpus.Select(c => CpuBufferStats.Parse(DisplayName, c, ReadFile($"per_cpu/cpu{c}/stats"))).ToArray();

    public string TracePipeRawPath(int cpu) => FilePath($"per_cpu/cpu{cpu}/trace_pipe_raw");
}
