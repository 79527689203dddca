using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.TraceDat;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Reading;

/// <summary>
/// Reads the events of one or more trace.dat files as objects, merged by time across CPUs and files, with
/// the same filters as live reading applied before objects are made. Pages are read as the merge needs
/// them, so memory stays flat whatever the file size.
/// </summary>
public sealed class TraceFileReader : IDisposable
{
    private readonly List<TraceDatFile> _files = new();
    private readonly List<EventFactory> _factories = new();
    private readonly List<EventCatalog> _catalogs = new();

    /// <param name="onBadFile">Where a file that cannot be opened (malformed, truncated in its headers, unreadable) is
    /// reported and left out, the others read; without it such a file is an exception.</param>
    public TraceFileReader(IEnumerable<string> paths, Action<string, TraceException>? onBadFile = null)
    {
        try
        {
            foreach (var p in paths)
            {
                TraceDatFile f;
                try { f = TraceDatFile.Open(p); }
                catch (TraceException e) when (onBadFile is not null) { onBadFile(p, e); continue; }
                _files.Add(f);
                var catalog = EventCatalog.FromFormats(f.HeaderPage, f.Formats);
                var commands = new CommandResolver(useProc: false);
                commands.Load(f.SavedCmdlines);
                _catalogs.Add(catalog);
                string kallsyms = f.Kallsyms, printk = f.PrintkFormats;
                _factories.Add(new EventFactory(catalog, commands, new Lazy<Symbols.SymbolTable>(() => Symbols.SymbolTable.Parse(kallsyms)),
                    Symbols.SyscallTable.For(Symbols.SyscallTable.ArchitectureOf(f.Uname)) ?? (f.Uname is null ? Symbols.SyscallTable.ForThisMachine() : null),
                    new Lazy<Formats.PrintkFormats>(() => Formats.PrintkFormats.Parse(printk)))
                {
                    UserSymbols = Symbols.UserSymbols.FromMaps(f.ProcessMaps),
                    WallClockOffsetNs = f.WallClockOffsetNs,
                    HostName = EventFactory.HostOf(f.Uname),
                });
            }
            AlignClocks();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<TraceDatFile> Files => _files;

    private long[] _shifts = [];

    /// <summary>True when the files were merged on the wall clock: several files, each with its offset to the wall
    /// clock (DATE), and not all the same. Every file's time stamps are then on the first file's trace clock.</summary>
    public bool OnOneTimeline { get; private set; }

    /// <summary>The hosts whose files are merged on their own trace clocks although their clocks need not agree (files from
    /// several hosts, or with different clocks, not all with DATE). Empty when the merge is on one timeline.</summary>
    public IReadOnlyList<string> UnalignedHosts { get; private set; } = [];

    /// <summary>
    /// Several hosts' (or clocks') files merged on one timeline: when every file has its wall-clock offset (the DATE
    /// option: Start-Trace -OutFile -WallClock, trace-cmd record --date), each file's time stamps are moved onto the
    /// first file's clock by the difference of their offsets, so that records merge in wall-clock order; TimeCreated stays
    /// what it was. Without DATE in every file, files of one host and one clock still merge exactly (one clock); files
    /// of several hosts or clocks merge on raw time stamps, which <see cref="UnalignedHosts"/> says.
    /// </summary>
    private void AlignClocks()
    {
        _shifts = new long[_files.Count];
        if (_files.Count < 2) return;
        var offsets = _files.Select(f => f.WallClockOffsetNs).ToArray();
        if (offsets.All(o => o is not null) && offsets.Distinct().Count() > 1)
        {
            long reference = offsets[0]!.Value;
            for (int i = 0; i < _files.Count; i++)
            {
                _shifts[i] = offsets[i]!.Value - reference;
                _factories[i].WallClockOffsetNs = reference;
            }
            OnOneTimeline = true;
            return;
        }
        var hosts = _factories.Select(f => f.HostName ?? "?").Distinct().ToArray();
        var clocks = _files.Select(f => f.Clock).Distinct().ToArray();
        if ((hosts.Length > 1 || clocks.Length > 1) && offsets.Any(o => o is null))
            UnalignedHosts = _files.Select((f, i) => $"{_factories[i].HostName ?? "?"} ({System.IO.Path.GetFileName(f.Path)}, {f.Clock} clock{(offsets[i] is null ? ", no DATE" : "")})").ToArray();
    }

    /// <summary>The command of a pid, from the files' saved command lines (the first file that knows it).</summary>
    public string CommandOf(int pid)
    {
        foreach (var f in _factories)
        {
            string c = f.Commands.Lookup(pid);
            if (c != "<...>") return c;
        }
        return "<...>";
    }

    /// <summary>The syscall names of the first file's architecture, when known.</summary>
    public Symbols.SyscallTable? Syscalls => _factories.Count > 0 ? _factories[0].Syscalls : null;

    /// <summary>The formats (per file) of the events with these ids.</summary>
    public IEnumerable<EventFormat> FormatsOf(IReadOnlyList<HashSet<int>> ids) =>
        ids.SelectMany((set, i) => set.Select(id => _catalogs[i].GetById(id)).OfType<EventFormat>());

    /// <summary>Every format of every file.</summary>
    public IEnumerable<EventFormat> AllFormats => _catalogs.SelectMany(c => c.Loaded);

    /// <summary>Event ids (per file) of the events matching <paramref name="patterns"/>; throws with close matches when one matches nothing in any file.</summary>
    public IReadOnlyList<HashSet<int>> ResolveEvents(IEnumerable<string> patterns)
    {
        var sets = _files.Select(_ => new HashSet<int>()).ToList();
        foreach (var pattern in patterns)
        {
            bool any = false;
            for (int i = 0; i < _files.Count; i++)
            {
                var names = _files[i].Formats.Select(f => new EventName(f.System, f.Name)).ToArray();
                foreach (var e in EventSelector.Match(names, pattern))
                {
                    var f = _catalogs[i].GetByName(e.System, e.Name);
                    if (f is null) continue;
                    sets[i].Add(f.Id);
                    any = true;
                }
            }
            if (!any)
            {
                var all = _files.SelectMany(f => f.Formats.Select(x => new EventName(x.System, x.Name))).Distinct().ToArray();
                throw EventSelector.NotFound(all, pattern, _files.Count == 1 ? $"in {_files[0].Path}" : $"in any of {_files.Count} files");
            }
        }
        return sets;
    }

    /// <summary>Records of the buffer named <paramref name="buffer"/> of every file, merged by time, as objects; a file
    /// that ends inside its data is an error after its events.</summary>
    /// <param name="filters">One filter per file (event ids differ between files), or null.</param>
    public IEnumerable<TraceRecord> Read(string? buffer, IReadOnlyList<RecordFilter?>? filters, CancellationToken cancel = default)
    {
        foreach (var r in Pipeline(buffer, filters).Objects(cancel)) yield return r;
        ThrowIfTruncated();
    }

    /// <summary>
    /// Function calls paired from the function_graph records of the buffer (made straight from the record bytes);
    /// with <paramref name="includeOthers"/>, the other records pass through as objects, else they are skipped.
    /// Calls open when the files end come last, as NoReturn.
    /// </summary>
    public IEnumerable<TraceRecord> ReadCalls(string? buffer, bool includeOthers, IReadOnlyList<RecordFilter?>? filters = null)
    {
        foreach (var r in Pipeline(buffer, filters).Calls(includeOthers)) yield return r;
        ThrowIfTruncated();
    }

    /// <summary>Visits every record of the buffer of every file in time order without making objects; returns how many.</summary>
    public long Visit(string? buffer, RecordVisitor visitor)
    {
        long n = new RecordPipeline(Cursors(buffer, reuse: true), _factories).Visit(visitor);
        ThrowIfTruncated();
        return n;
    }

    private RecordPipeline Pipeline(string? buffer, IReadOnlyList<RecordFilter?>? filters) => new(Cursors(buffer), _factories, filters);

    /// <summary>After the last record: a file that ends inside its data is an error (its events were read first).</summary>
    private void ThrowIfTruncated()
    {
        foreach (var f in _files)
            if (f.Truncation is { } cut) throw cut;
    }

    internal List<CpuCursor> Cursors(string? buffer, bool reuse = false)
    {
        var cursors = new List<CpuCursor>();
        for (int i = 0; i < _files.Count; i++)
        {
            var f = _files[i];
            var b = f.GetBuffer(buffer);
            foreach (var cpu in b.Cpus)
            {
                if (cpu.Size == 0) continue;
                cursors.Add(new CpuCursor(cpu.Cpu, f.OpenPages(b, cpu, reuse), f.HeaderPage, f.Path) { SourceIndex = i, TimeShiftNs = _shifts[i] });
            }
        }
        return cursors;
    }

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
