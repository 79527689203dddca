using System.Text;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Tracefs;
using Microsoft.Win32.SafeHandles;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>
/// A trace-cmd trace.dat file, version 6 or 7 (sections, options, string tables), uncompressed or compressed
/// with zstd or zlib: its metadata (header page, event formats, kallsyms, printk formats, saved command lines,
/// options) is read at open; the trace data is streamed page by page, per CPU, on demand.
/// </summary>
public sealed class TraceDatFile : IDisposable
{
    public static ReadOnlySpan<byte> Magic => [0x17, 0x08, 0x44, (byte)'t', (byte)'r', (byte)'a', (byte)'c', (byte)'i', (byte)'n', (byte)'g'];

    // option and section ids (trace-cmd-private.h)
    internal const ushort OptDone = 0, OptDate = 1, OptCpuStat = 2, OptBuffer = 3, OptTraceClock = 4, OptUname = 5, OptHook = 6,
        OptOffset = 7, OptCpuCount = 8, OptVersion = 9, OptProcMaps = 10, OptTraceId = 11, OptTimeShift = 12, OptGuest = 13,
        OptTsc2Nsec = 14, SecStrings = 15, OptHeaderInfo = 16, OptFtraceEvents = 17, OptEventFormats = 18, OptKallsyms = 19,
        OptPrintk = 20, OptCmdlines = 21, OptBufferText = 22;
    internal const ushort SectionCompressed = 1;
    private const int MaxEvents = 200_000, MaxSystems = 10_000, MaxCpus = 8192, MaxSections = 100_000;

    private readonly SafeFileHandle _handle;
    private readonly List<TraceDatBuffer> _buffers = new();
    private readonly List<string> _cpuStats = new();
    private readonly List<EventFormat> _formats = new();
    private readonly List<Symbols.ProcessMaps> _processMaps = new();
    private const int MaxProcessMaps = 100_000;

    private TraceDatFile(string path)
    {
        Path = path;
        try
        {
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.RandomAccess);
        }
        catch (FileNotFoundException e)
        {
            throw new TraceException(TraceErrorKind.NotFound, $"{path}: no such file.", path, 0, e) { ErrorId = "FileNotFound" };
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TraceException(TraceErrorKind.PermissionDenied, $"{path}: permission denied.", path, 0, e);
        }
        Length = RandomAccess.GetLength(_handle);
    }

    public string Path { get; }
    public long Length { get; }
    public int Version { get; private set; }
    /// <summary>sizeof(long) of the recording user space (not the kernel's: see HeaderPage.LongSize).</summary>
    public int LongSize { get; private set; }
    public int PageSize { get; private set; }
    public string Compression { get; private set; } = "none";
    public string CompressionVersion { get; private set; } = "";
    internal TraceCompression? Codec { get; private set; }
    public string HeaderPageText { get; private set; } = "";
    public string HeaderEventText { get; private set; } = "";
    public HeaderPage HeaderPage { get; private set; } = HeaderPage.Default64;
    public IReadOnlyList<EventFormat> Formats => _formats;
    /// <summary>Raw text of every format, by "system:event", as stored (what a writer copies on).</summary>
    public string Kallsyms { get; private set; } = "";
    public string PrintkFormats { get; private set; } = "";
    public string SavedCmdlines { get; private set; } = "";
    public int CpuCount { get; private set; }
    public string? Uname { get; private set; }
    public string? TraceCmdVersion { get; private set; }
    /// <summary>The TRACECLOCK option: the trace_clock file with the current clock in brackets.</summary>
    public string? TraceClockText { get; private set; }
    /// <summary>The DATE option (trace-cmd record --date): microseconds from the trace clock to the wall clock, as C text ("0x…").</summary>
    public string? Date { get; private set; }
    /// <summary>How far <see cref="WallClockOffsetNs"/> may be off, in ns, when LinuxTrace wrote the file: the trace clock's
    /// drift against the wall clock between the start and the end of the recording (the offset is measured at both),
    /// plus the measurements' own windows. Null for files without it (trace-cmd's).</summary>
    public long? WallClockBoundNs { get; private set; }

    /// <summary>What precedes the bound in the DATE option's text, after its NUL.</summary>
    internal const string BoundMarker = "linuxtrace-bound-ns=";

    /// <summary>The OFFSET option: nanoseconds trace-cmd adds to every time stamp, as C text.</summary>
    public string? TimeOffset { get; private set; }

    /// <summary>Unix time in ns = time stamp + this, from the DATE option (plus OFFSET, which trace-cmd adds too); null
    /// when the file has no DATE option or it does not parse.</summary>
    public long? WallClockOffsetNs => ParseCNumber(Date) is { } us ? us * 1000 + (ParseCNumber(TimeOffset) ?? 0) : null;

    /// <summary>A number as C's strtoll(s, NULL, 0) reads it: 0x hex, leading-0 octal, else decimal; null when it is none.</summary>
    internal static long? ParseCNumber(string? text)
    {
        if (text is null) return null;
        var t = text.Trim().TrimEnd('\0').Trim();
        bool neg = t.StartsWith('-');
        if (neg || t.StartsWith('+')) t = t[1..];
        try
        {
            long v = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.ToInt64(t[2..], 16)
                : t.Length > 1 && t[0] == '0' ? Convert.ToInt64(t, 8)
                : long.Parse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
            return neg ? -v : v;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException) { return null; }
    }
    public ulong? TraceId { get; private set; }
    public IReadOnlyList<string> CpuStats => _cpuStats;
    /// <summary>The PROCMAPS options: the traced processes' mapped files (trace-cmd record --proc-map; LinuxTrace's
    /// -OutFile with -UserStackTrace), for resolving user stacks.</summary>
    public IReadOnlyList<Symbols.ProcessMaps> ProcessMaps => _processMaps;
    public IReadOnlyList<TraceDatBuffer> Buffers => _buffers;
    public int OptionSectionCount { get; private set; }

    /// <summary>The clock of the top buffer (local when the file does not say).</summary>
    public string Clock => _buffers.FirstOrDefault(b => b.Name.Length == 0)?.Clock ?? CurrentClock(TraceClockText) ?? "local";

    internal static string? CurrentClock(string? text)
    {
        if (text is null) return null;
        foreach (var w in text.Split((char[])[' ', '\n', '\0'], StringSplitOptions.RemoveEmptyEntries))
            if (w.StartsWith('[')) return w.Trim('[', ']');
        return null;
    }

    /// <summary>Opens and reads the metadata; a <see cref="TraceDataException"/> naming file, offset and problem when malformed.</summary>
    public static TraceDatFile Open(string path)
    {
        var f = new TraceDatFile(path);
        try
        {
            f.ReadMetadata();
            return f;
        }
        catch (TraceException)
        {
            f.Dispose();
            throw;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or OverflowException or IndexOutOfRangeException or OutOfMemoryException)
        {
            f.Dispose();
            throw new TraceDataException($"cannot read the file: {e.Message}", path, -1, e);
        }
    }

    public void Dispose() => _handle.Dispose();

    // ---- low-level reads ------------------------------------------------------------------------

    private DatCursor At(long offset, long count, string what)
    {
        if (offset < 0 || count < 0 || offset > Length || count > Length - offset)
            throw new TraceDataException($"{what} of {count} bytes at offset {offset} runs past the end of the file ({Length} bytes): the file is truncated or corrupt", Path, offset);
        var buf = new byte[count];
        int got = RandomAccess.Read(_handle, buf, offset);
        if (got != count) throw new TraceDataException($"short read of {what}", Path, offset);
        return new DatCursor(buf, Path, offset, what);
    }

    internal int ReadAt(Span<byte> buffer, long offset) => RandomAccess.Read(_handle, buffer, offset);

    // ---- metadata -------------------------------------------------------------------------------

    private void ReadMetadata()
    {
        var pre = At(0, Math.Min(Length, 64), "file header");
        if (Length < 10 || !pre.Bytes(10).AsSpan().SequenceEqual(Magic))
            throw new TraceDataException("not a trace-cmd trace.dat file (bad magic)", Path, 0);
        string version = pre.CString(16);
        if (!int.TryParse(version, out int v) || v is < 6 or > 7)
            throw new TraceDataException($"trace.dat version '{version}' is not supported (LinuxTrace reads versions 6 and 7)", Path, 10);
        Version = v;
        byte[] endian = pre.Bytes(2);
        if (endian[0] != 0)
            throw new TraceDataException("the file is big-endian; LinuxTrace reads little-endian trace.dat files", Path, pre.FileOffset - 2);
        LongSize = endian[1];
        PageSize = (int)pre.U32();
        if (PageSize is < 512 or > 1 << 24 || (PageSize & (PageSize - 1)) != 0)
            throw new TraceDataException($"implausible page size {PageSize}", Path, pre.FileOffset - 4);
        if (Version == 6) ReadV6(pre.FileOffset);
        else ReadV7(pre);
        if (_buffers.Count == 0)
            throw new TraceDataException("the file holds no flyrecord buffer", Path, -1);
    }

    private void ReadV6(long pos)
    {
        // header_page, header_event
        pos = ReadNamedBlock(pos, "header_page", out var hp);
        pos = ReadNamedBlock(pos, "header_event", out var he);
        SetHeaders(hp, he, pos);
        pos = ReadFtraceFormats(pos, out _);
        pos = ReadEventSystems(pos, out _);
        var c = At(pos, 4, "kallsyms size");
        int ks = (int)Math.Min(c.U32(), (ulong)Length);
        Kallsyms = At(pos + 4, ks, "kallsyms").Text(ks);
        pos += 4 + ks;
        c = At(pos, 4, "printk size");
        int ps = (int)Math.Min(c.U32(), (ulong)Length);
        PrintkFormats = At(pos + 4, ps, "printk formats").Text(ps);
        pos += 4 + ps;
        c = At(pos, 8, "cmdlines size");
        ulong cs = c.U64();
        if (cs > (ulong)Length) throw c.Error($"saved cmdlines of {cs} bytes cannot fit the file");
        SavedCmdlines = At(pos + 8, (long)cs, "saved cmdlines").Text((int)cs);
        pos += 8 + (long)cs;
        c = At(pos, 4, "CPU count");
        CpuCount = c.Count("CPU count", MaxCpus);
        pos += 4;
        string tag = ReadTag(pos);
        pos += 10;
        var instances = new List<(ulong Offset, string Name)>();
        if (tag == "options")
        {
            while (true)
            {
                var oc = At(pos, Math.Min(6, Length - pos), "option");
                ushort id = oc.U16();
                pos += 2;
                if (id == OptDone) break;
                uint size = oc.U32();
                pos += 4;
                var data = At(pos, size, $"option {id}");
                pos += size;
                if (id == OptBuffer)
                {
                    ulong off = data.U64();
                    instances.Add((off, data.CString()));
                }
                else HandleOption(id, data);
            }
            OptionSectionCount = 1;
            tag = ReadTag(pos);
            pos += 10;
        }
        if (tag == "latency")
            throw new TraceDataException("this is a latency-format (text) trace.dat file; LinuxTrace reads flyrecord (binary) recordings", Path, pos - 10);
        if (tag != "flyrecord") throw new TraceDataException($"expected 'flyrecord', found '{tag}'", Path, pos - 10);
        var table = At(pos, CpuCount * 16L, "CPU data table");
        var cpus = new List<TraceDatCpu>();
        for (int i = 0; i < CpuCount; i++) cpus.Add(CheckedCpu(i, table.U64(), table.U64(), table.FileOffset));
        pos += CpuCount * 16L;
        string? clock = null;
        if (TraceClockText is not null && pos + 8 <= Length)
        {
            var cc = At(pos, 8, "trace clock size");
            ulong n = cc.U64();
            if (n > 0 && n < 4096 && pos + 8 + (long)n <= Length) clock = CurrentClock(At(pos + 8, (long)n, "trace clock").Text((int)n));
        }
        _buffers.Add(new TraceDatBuffer { Name = "", Clock = clock ?? CurrentClock(TraceClockText) ?? "local", PageSize = PageSize, Cpus = cpus });
        foreach (var (off, name) in instances)
        {
            long p = (long)off;
            if (off > (ulong)Length) throw new TraceDataException($"buffer '{name}' starts past the end of the file", Path, p);
            string t = ReadTag(p);
            if (t != "flyrecord") throw new TraceDataException($"buffer '{name}': expected 'flyrecord', found '{t}'", Path, p);
            var bt = At(p + 10, CpuCount * 16L, $"CPU table of buffer '{name}'");
            var bc = new List<TraceDatCpu>();
            for (int i = 0; i < CpuCount; i++) bc.Add(CheckedCpu(i, bt.U64(), bt.U64(), bt.FileOffset));
            _buffers.Add(new TraceDatBuffer { Name = name, Clock = CurrentClock(TraceClockText) ?? "local", PageSize = PageSize, Cpus = bc });
        }
    }

    /// <summary>A CPU's data as the table gives it. Data cut by the end of the file (a recording that did not finish,
    /// a partial copy) is kept up to its last whole page and noted in <see cref="Truncation"/>: the events before the
    /// cut are read, then readers report the cut.</summary>
    private TraceDatCpu CheckedCpu(int cpu, ulong offset, ulong size, long at)
    {
        if (size > 0 && (offset > (ulong)Length || size > (ulong)Length - offset))
        {
            long kept = offset >= (ulong)Length ? 0 : ((long)((ulong)Length - offset) / PageSize) * PageSize;
            Truncation ??= new TraceDataException(
                $"CPU {cpu}'s data ({size} bytes at offset {offset}) runs past the end of the file ({Length} bytes): the file is truncated; the events before the cut were read", Path, at);
            return new TraceDatCpu(cpu, (long)Math.Min(offset, (ulong)Length), kept);
        }
        return new TraceDatCpu(cpu, (long)offset, (long)size);
    }

    /// <summary>Set when the file ends inside its trace data: what is missing, and where. The pages before the end
    /// are read; readers throw this after them.</summary>
    public TraceDataException? Truncation { get; private set; }

    private string ReadTag(long pos)
    {
        var c = At(pos, 10, "section tag");
        return Encoding.ASCII.GetString(c.Bytes(10)).TrimEnd('\0', ' ');
    }

    private long ReadNamedBlock(long pos, string name, out string text)
    {
        var c = At(pos, name.Length + 1 + 8, name);
        string got = Encoding.ASCII.GetString(c.Bytes(name.Length + 1)).TrimEnd('\0');
        if (got != name) throw new TraceDataException($"expected '{name}', found '{got}'", Path, pos);
        ulong size = c.U64();
        if (size > 1 << 20) throw c.Error($"{name} of {size} bytes is implausible");
        text = At(pos + name.Length + 9, (long)size, name).Text((int)size);
        return pos + name.Length + 9 + (long)size;
    }

    private void SetHeaders(string headerPage, string headerEvent, long at)
    {
        HeaderPageText = headerPage;
        HeaderEventText = headerEvent;
        HeaderPage = HeaderPage.Parse(headerPage, Path);
        HeaderPage.ValidateHeaderEvent(headerEvent, Path);
    }

    private long ReadFtraceFormats(long pos, out int count)
    {
        var c = At(pos, 4, "ftrace format count");
        count = c.Count("ftrace format count", MaxEvents);
        pos += 4;
        for (int i = 0; i < count; i++) pos = ReadFormat(pos, "ftrace");
        return pos;
    }

    private long ReadEventSystems(long pos, out int systems)
    {
        var c = At(pos, 4, "event system count");
        systems = c.Count("event system count", MaxSystems);
        pos += 4;
        for (int s = 0; s < systems; s++)
        {
            var nc = At(pos, Math.Min(256 + 4, Length - pos), "event system name");
            string sys = nc.CString(256);
            int n = nc.Count($"event count of system {sys}", MaxEvents);
            pos += nc.Position;
            for (int i = 0; i < n; i++) pos = ReadFormat(pos, sys);
        }
        return pos;
    }

    private long ReadFormat(long pos, string system)
    {
        var c = At(pos, 8, "format size");
        ulong size = c.U64();
        if (size > 1 << 20) throw c.Error($"format of {size} bytes in system {system} is implausible");
        string text = At(pos + 8, (long)size, $"format in system {system}").Text((int)size);
        AddFormat(system, text, pos + 8);
        return pos + 8 + (long)size;
    }

    private void AddFormat(string system, string text, long at)
    {
        EventFormat f;
        try
        {
            f = FormatParser.ParseEvent(system, text, HeaderPage.LongSize, Path);
        }
        catch (TraceDataException e)
        {
            throw new TraceDataException($"bad event format in system {system}: {e.Message}", Path, at, e);
        }
        _formats.Add(f);
    }

    private void HandleOption(ushort id, DatCursor d)
    {
        switch (id)
        {
            case OptCpuStat: _cpuStats.Add(d.Text(d.Length)); break;
            case OptTraceClock: TraceClockText = d.Text(d.Length); break;
            case OptUname: Uname = d.Text(d.Length); break;
            case OptVersion: TraceCmdVersion = d.Text(d.Length); break;
            case OptDate:
            {
                // "0x<us>", and from LinuxTrace "\0linuxtrace-bound-ns=<ns>" after it (TraceDatMetadata.DateText)
                string text = d.Text(d.Length);
                int nul = text.IndexOf('\0');
                Date = nul < 0 ? text : text[..nul];
                int mark = text.IndexOf(BoundMarker, StringComparison.Ordinal);
                if (mark > nul && nul >= 0 && long.TryParse(text.AsSpan(mark + BoundMarker.Length).TrimEnd('\0'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long bound))
                    WallClockBoundNs = bound;
                break;
            }
            case OptOffset: TimeOffset = d.Text(d.Length); break;
            case OptTraceId when d.Length >= 8: TraceId = d.U64(); break;
            case OptCpuCount when d.Length >= 4: CpuCount = Math.Max(CpuCount, (int)Math.Min(d.U32(), MaxCpus)); break;
            case OptProcMaps when _processMaps.Count < MaxProcessMaps:
                if (Symbols.ProcessMaps.ParseTraceCmdOption(d.Text(d.Length)) is { } maps) _processMaps.Add(maps);
                break;
        }
    }

    // ---- version 7 ------------------------------------------------------------------------------

    private void ReadV7(DatCursor pre)
    {
        // compression header: "name\0version\0", then the offset of the first options section
        var c = At(pre.FileOffset, Math.Min(128, Length - pre.FileOffset), "compression header");
        Compression = c.CString(64);
        CompressionVersion = c.CString(64);
        Codec = TraceCompression.For(Compression, Path);
        ulong firstOptions = c.U64();
        long sectionsStart = c.FileOffset;
        WalkSections(sectionsStart);

        var sections = new Dictionary<ushort, long>();
        ulong next = firstOptions;
        var seen = new HashSet<ulong>();
        while (next != 0)
        {
            if (!seen.Add(next) || seen.Count > 1000) throw new TraceDataException("options sections form a loop", Path, (long)next);
            var (flags, data) = ReadSection((long)next, 0);
            OptionSectionCount++;
            next = 0;
            while (!data.AtEnd)
            {
                ushort id = data.U16();
                uint size = data.U32();
                var opt = new DatCursor(data.Bytes(data.Size(size, $"option {id}")), Path, data.FileOffset - size, $"option {id}");
                switch (id)
                {
                    case OptDone:
                        next = opt.Length >= 8 ? opt.U64() : 0;
                        data.Position = data.Length;
                        break;
                    case OptHeaderInfo or OptFtraceEvents or OptEventFormats or OptKallsyms or OptPrintk or OptCmdlines:
                        sections[id] = (long)opt.U64();
                        break;
                    case OptBuffer:
                        _buffers.Add(ReadBufferOption(opt));
                        break;
                    case OptBufferText:
                        throw new TraceDataException("this file holds a latency-format (text) buffer; LinuxTrace reads flyrecord (binary) recordings", Path, opt.FileOffset);
                    default:
                        HandleOption(id, opt);
                        break;
                }
            }
        }

        if (!sections.TryGetValue(OptHeaderInfo, out long hi)) throw new TraceDataException("the file has no header info section", Path, -1);
        var h = ReadSection(hi, OptHeaderInfo).Data;
        SetHeaders(Named(h, "header_page"), Named(h, "header_event"), hi);
        if (sections.TryGetValue(OptFtraceEvents, out long fe))
        {
            var d = ReadSection(fe, OptFtraceEvents).Data;
            int n = d.Count("ftrace format count", MaxEvents);
            for (int i = 0; i < n; i++) { long at = d.FileOffset; ulong s = d.U64(); AddFormat("ftrace", d.Text(d.Size(s, "format")), at); }
        }
        if (sections.TryGetValue(OptEventFormats, out long ef))
        {
            var d = ReadSection(ef, OptEventFormats).Data;
            int systems = d.Count("event system count", MaxSystems);
            for (int s = 0; s < systems; s++)
            {
                string sys = d.CString(256);
                int n = d.Count($"event count of system {sys}", MaxEvents);
                for (int i = 0; i < n; i++) { long at = d.FileOffset; ulong sz = d.U64(); AddFormat(sys, d.Text(d.Size(sz, "format")), at); }
            }
        }
        if (sections.TryGetValue(OptKallsyms, out long ks)) { var d = ReadSection(ks, OptKallsyms).Data; Kallsyms = d.Text(d.Size(d.U32(), "kallsyms")); }
        if (sections.TryGetValue(OptPrintk, out long pk)) { var d = ReadSection(pk, OptPrintk).Data; PrintkFormats = d.Text(d.Size(d.U32(), "printk formats")); }
        if (sections.TryGetValue(OptCmdlines, out long cl)) { var d = ReadSection(cl, OptCmdlines).Data; SavedCmdlines = d.Text(d.Size(d.U64(), "saved cmdlines")); }
        if (CpuCount == 0) CpuCount = _buffers.Count == 0 ? 0 : _buffers.Max(b => b.Cpus.Count == 0 ? 0 : b.Cpus.Max(x => x.Cpu) + 1);
    }

    private string Named(DatCursor d, string name)
    {
        string got = d.CString(64);
        if (got != name) throw d.Error($"expected '{name}', found '{got}'");
        ulong size = d.U64();
        return d.Text(d.Size(size, name));
    }

    private TraceDatBuffer ReadBufferOption(DatCursor d)
    {
        long sectionOffset = (long)d.U64();
        string name = d.CString();
        string clock = d.CString();
        int pageSize = (int)d.U32();
        if (pageSize is < 512 or > 1 << 24) throw d.Error($"buffer '{name}' has an implausible page size {pageSize}");
        int n = d.Count($"CPU count of buffer '{name}'", MaxCpus);
        var cpus = new List<TraceDatCpu>();
        for (int i = 0; i < n; i++)
        {
            long at = d.FileOffset;
            int cpu = (int)d.U32();
            if (cpu >= MaxCpus) throw d.Error($"CPU id {cpu} is implausible");
            cpus.Add(CheckedCpu(cpu, d.U64(), d.U64(), at));
        }
        var (flags, _) = ReadSectionHeader(sectionOffset, OptBuffer);
        return new TraceDatBuffer { Name = name, Clock = clock, PageSize = pageSize, Compressed = (flags & SectionCompressed) != 0, Cpus = cpus };
    }

    private (ushort Flags, long Size) ReadSectionHeader(long offset, ushort expectedId)
    {
        var h = At(offset, 16, "section header");
        ushort id = h.U16();
        ushort flags = h.U16();
        h.U32(); // description string id
        ulong size = h.U64();
        if (id != expectedId) throw new TraceDataException($"expected section {expectedId} here, found section {id}", Path, offset);
        if (size > (ulong)(Length - offset - 16)) throw new TraceDataException($"section {id} of {size} bytes runs past the end of the file", Path, offset);
        return (flags, (long)size);
    }

    /// <summary>Reads a (possibly compressed) section's payload.</summary>
    private (ushort Flags, DatCursor Data) ReadSection(long offset, ushort expectedId)
    {
        var (flags, size) = ReadSectionHeader(offset, expectedId);
        var body = At(offset + 16, size, $"section {expectedId}");
        if ((flags & SectionCompressed) == 0) return (flags, body);
        if (Codec is null) throw new TraceDataException($"section {expectedId} is marked compressed but the file names no compression", Path, offset);
        uint csize = body.U32(), usize = body.U32();
        if (csize > body.Length - 8) throw body.Error($"compressed size {csize} exceeds the section");
        if (usize > 1 << 30) throw body.Error($"uncompressed size {usize} is implausible");
        var output = new byte[usize];
        try
        {
            Codec.Decompress(body.Bytes((int)csize), output);
        }
        catch (InvalidDataException e)
        {
            throw new TraceDataException($"section {expectedId} does not decompress: {e.Message}", Path, offset, e);
        }
        return (flags, new DatCursor(output, Path, offset + 16, $"section {expectedId} (decompressed)"));
    }

    /// <summary>
    /// Walks every section from the first one to the end of the file, as trace-cmd lays them out (one after another,
    /// each a 16-byte header and its size): a section that runs past the end means the file is truncated.
    /// </summary>
    private void WalkSections(long pos)
    {
        int count = 0;
        while (pos < Length)
        {
            if (++count > MaxSections) throw new TraceDataException($"more than {MaxSections} sections", Path, pos);
            var h = At(pos, 16, "section header");
            ushort id = h.U16();
            h.U16(); // flags
            h.U32(); // description
            ulong size = h.U64();
            if (size > (ulong)(Length - pos - 16))
                throw new TraceDataException($"section {id} claims {size} bytes but the file ends {Length - pos - 16} bytes after its header: the file is truncated", Path, pos);
            pos += 16 + (long)size;
        }
    }

    // ---- data -----------------------------------------------------------------------------------

    /// <summary>The buffer named <paramref name="name"/> ("" or "top" for the top one).</summary>
    public TraceDatBuffer GetBuffer(string? name)
    {
        if (TraceFileSystem.IsTopName(name))
            return _buffers.FirstOrDefault(b => b.Name.Length == 0) ?? _buffers[0];
        return _buffers.FirstOrDefault(b => b.Name == name)
            ?? throw new TraceException(TraceErrorKind.NotFound,
                $"{Path} has no buffer named '{name}'. Buffers: {string.Join(", ", _buffers.Select(b => b.DisplayName))}.", Path) { ErrorId = "BufferNotFound" };
    }

    /// <summary>
    /// The most a reader may hold for one buffer's CPUs at once (a block or two chunks per CPU being merged): a crafted
    /// file with thousands of CPUs and huge pages is refused before anything is allocated.
    /// </summary>
    private const long MaxReadMemory = 2L << 30;

    /// <summary>Bytes read from the file at once per CPU (uncompressed data): one system call for many pages.</summary>
    private const int BlockBytes = 1 << 20;

    /// <summary>Largest chunk accepted, in pages: trace-cmd and LinuxTrace write 10.</summary>
    private const int MaxPagesInChunk = 16;

    /// <summary>Pages of one CPU of a buffer, read (and decompressed) as they are needed.</summary>
    /// <param name="reuse">The reader is done with a page when it asks for the next one (it keeps no record or
    /// object of it): <see cref="IPageSource.TryReadPageAt"/> may then hand out the same memory again, which saves
    /// allocating (and the kernel zeroing) the whole file's worth of memory.</param>
    public IPageSource OpenPages(TraceDatBuffer buffer, TraceDatCpu cpu, bool reuse = false)
    {
        CheckReadMemory(buffer);
        return buffer.Compressed ? new CompressedPages(this, buffer, cpu, reuse) : new PlainPages(this, buffer, cpu, reuse);
    }

    /// <summary>What merging every CPU of the buffer could hold at once, refused when implausible.</summary>
    private void CheckReadMemory(TraceDatBuffer buffer)
    {
        long perCpu = buffer.Compressed ? 2L * MaxPagesInChunk * buffer.PageSize : Math.Max(buffer.PageSize, BlockBytes);
        long cpus = buffer.Cpus.Count(c => c.Size > 0);
        if (cpus * perCpu > MaxReadMemory)
            throw new TraceDataException(
                $"buffer '{buffer.DisplayName}' has {cpus} CPUs with data and pages of {buffer.PageSize} bytes: reading it could need {cpus * perCpu >> 20} MiB at once, more than the {MaxReadMemory >> 20} MiB a trace file may ask for",
                Path, 0);
    }

    /// <summary>Uncompressed pages, read a block (about 1 MiB) at a time and handed out one by one.</summary>
    private sealed class PlainPages(TraceDatFile file, TraceDatBuffer buffer, TraceDatCpu cpu, bool reuse) : IPageSource
    {
        private readonly int Batch = Math.Max(1, BlockBytes / buffer.PageSize);
        private long _done;
        private byte[] _block = [];
        private bool _blockLent;   // pages of the block were handed out in place: the next block needs a new array
        private int _blockLength;
        private int _blockPos;
        private long _blockOffset;

        public bool TryReadPage(out byte[] page, out int length, out long fileOffset)
        {
            if (!TryReadPageAt(out var block, out int start, out length, out fileOffset, lend: false)) { page = []; return false; }
            page = GC.AllocateUninitializedArray<byte>(buffer.PageSize);
            Buffer.BlockCopy(block, start, page, 0, length);
            return true;
        }

        public bool TryReadPageAt(out byte[] array, out int start, out int length, out long fileOffset) =>
            TryReadPageAt(out array, out start, out length, out fileOffset, lend: !reuse);

        private bool TryReadPageAt(out byte[] array, out int start, out int length, out long fileOffset, bool lend)
        {
            int ps = buffer.PageSize;
            if (_blockPos >= _blockLength)
            {
                if (_done >= cpu.Size) { array = []; start = 0; length = 0; fileOffset = -1; return false; }
                if (_block.Length == 0 || _blockLent)
                {
                    _block = GC.AllocateUninitializedArray<byte>((int)Math.Min((long)ps * Batch, cpu.Size + ps - 1) / ps * ps);
                    _blockLent = false;
                }
                _blockOffset = cpu.Offset + _done;
                _blockLength = (int)Math.Min(_block.Length, cpu.Size - _done);
                int got = file.ReadAt(_block.AsSpan(0, _blockLength), _blockOffset);
                if (got != _blockLength) throw new TraceDataException($"CPU {cpu.Cpu}: short read of its data", file.Path, _blockOffset);
                _done += _blockLength;
                _blockPos = 0;
            }
            fileOffset = _blockOffset + _blockPos;
            length = Math.Min(ps, _blockLength - _blockPos);
            array = _block;
            start = _blockPos;
            _blockPos += length;
            _blockLent |= lend;
            return true;
        }
    }

    /// <summary>
    /// Compressed pages: chunk by chunk, the next chunk decompressing on the thread pool while the current one is
    /// decoded (decompression is the costly part of reading a compressed file; this puts it on the other core).
    /// </summary>
    private sealed class CompressedPages : IPageSource
    {
        private readonly TraceDatFile _file;
        private readonly TraceDatBuffer _buffer;
        private readonly TraceDatCpu _cpu;
        private readonly long _end;
        private long _pos;
        private int _chunksLeft = -1;
        private Chunk? _current;
        private int _chunkPos;
        private Task<Chunk?>? _next;

        private sealed record Chunk(byte[] Data, int Length, long Offset);

        private readonly bool _reuse;

        public CompressedPages(TraceDatFile file, TraceDatBuffer buffer, TraceDatCpu cpu, bool reuse)
        {
            _reuse = reuse;
            _file = file;
            _buffer = buffer;
            _cpu = cpu;
            _pos = cpu.Offset;
            // trace-cmd's size counts the chunks, not the 4-byte chunk count in front of them
            _end = Math.Min(file.Length, cpu.Offset + 4 + cpu.Size);
        }

        public bool TryReadPage(out byte[] page, out int length, out long fileOffset)
        {
            if (!TryReadPageAt(out var chunk, out int start, out length, out fileOffset)) { page = []; return false; }
            page = GC.AllocateUninitializedArray<byte>(_buffer.PageSize);
            Buffer.BlockCopy(chunk, start, page, 0, length);
            return true;
        }

        /// <summary>Pages in place in their decompressed chunk (each chunk is a new array).</summary>
        public bool TryReadPageAt(out byte[] array, out int start, out int length, out long fileOffset)
        {
            int ps = _buffer.PageSize;
            while (_current is null || _chunkPos >= _current.Length)
            {
                _current = Take();
                _chunkPos = 0;
                if (_current is null) { array = []; start = 0; length = 0; fileOffset = -1; return false; }
            }
            fileOffset = _current.Offset;
            length = Math.Min(ps, _current.Length - _chunkPos);
            array = _current.Data;
            start = _chunkPos;
            _chunkPos += length;
            return true;
        }

        private Chunk? Take()
        {
            Chunk? c;
            var previous = _current;
            if (_next is not null)
            {
                try { c = _next.GetAwaiter().GetResult(); }
                finally { _next = null; }
            }
            else c = Load(null);
            // the reader has left the previous chunk (it asked for a page past it): its memory takes the next load
            var spare = _reuse ? previous?.Data : null;
            if (c is not null && _chunksLeft > 0) _next = Task.Run(() => Load(spare));
            return c;
        }

        /// <summary>Reads and decompresses the chunk at _pos (one at a time: Take never overlaps two loads).</summary>
        private Chunk? Load(byte[]? into)
        {
            if (_cpu.Size == 0) return null;
            if (_chunksLeft < 0)
            {
                var c = _file.At(_pos, 4, $"chunk count of CPU {_cpu.Cpu}");
                _chunksLeft = c.Count("chunk count", int.MaxValue / 16);
                _pos += 4;
            }
            if (_chunksLeft == 0) return null;
            var h = _file.At(_pos, 8, $"chunk header of CPU {_cpu.Cpu}");
            uint csize = h.U32(), usize = h.U32();
            if (_pos + 8 + csize > _end) throw h.Error($"compressed chunk of {csize} bytes runs past CPU {_cpu.Cpu}'s data");
            if (usize > (ulong)MaxPagesInChunk * (ulong)_buffer.PageSize)
                throw h.Error($"chunk claims {usize} uncompressed bytes, more than {MaxPagesInChunk} pages of {_buffer.PageSize} bytes: implausible");
            var comp = System.Buffers.ArrayPool<byte>.Shared.Rent((int)csize);
            var data = into is not null && into.Length >= usize ? into : GC.AllocateUninitializedArray<byte>((int)usize);
            try
            {
                if (_file.ReadAt(comp.AsSpan(0, (int)csize), _pos + 8) != csize)
                    throw new TraceDataException($"CPU {_cpu.Cpu}: short read of a compressed chunk", _file.Path, _pos + 8);
                _file.Codec!.Decompress(comp.AsSpan(0, (int)csize), data.AsSpan(0, (int)usize));
            }
            catch (InvalidDataException e)
            {
                throw new TraceDataException($"CPU {_cpu.Cpu}: a chunk does not decompress ({e.Message})", _file.Path, _pos, e);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(comp);
            }
            var chunk = new Chunk(data, (int)usize, _pos);
            _pos += 8 + csize;
            _chunksLeft--;
            return chunk;
        }
    }

    /// <summary>The sections of a version 7 file in file order (empty for version 6).</summary>
}
