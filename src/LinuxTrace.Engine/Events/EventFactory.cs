using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Symbols;

namespace LinuxTrace.Engine.Events;

/// <summary>
/// What the events of one trace (a session or a file) share to decode themselves: command names, kernel symbols,
/// trace_printk formats and system-call names. One reference per event instead of one per table.
/// </summary>
internal sealed class DecodeContext(CommandResolver commands, Lazy<SymbolTable>? symbols, SyscallTable? syscalls, Lazy<PrintkFormats>? printk)
{
    /// <summary>User-space symbols for user stacks (live: from /proc; a file: its PROCMAPS).</summary>
    public UserSymbols? UserSymbols { get; set; }
    public CommandResolver Commands { get; } = commands;
    public Lazy<SymbolTable>? Symbols { get; } = symbols;
    public SyscallTable? Syscalls { get; } = syscalls;
    public Lazy<PrintkFormats>? Printk { get; } = printk;
    /// <summary>Unix time in ns = time stamp + this (live: the trace clock's offset; a file: its DATE option); null when unknown.</summary>
    public long? WallClockOffsetNs { get; set; }
    /// <summary>The host the events were recorded on (live: this one; a file: the nodename of its UNAME option).</summary>
    public string? HostName { get; set; }
}

/// <summary>Turns raw records into <see cref="TraceEvent"/> / <see cref="TraceLostEvents"/> objects.</summary>
public sealed class EventFactory
{
    private readonly EventCatalog _catalog;
    private readonly EventLayout?[] _layouts = new EventLayout?[65536];
    private readonly DecodeContext _context;

    /// <param name="catalog">The event formats (live or of a file).</param>
    /// <param name="commands">Command names of pids.</param>
    /// <param name="symbols">Kernel symbols for %ps fields and messages, loaded on first use (kallsyms of the file, or /proc/kallsyms).</param>
    /// <param name="syscalls">System call names of the traced machine's architecture (null when unknown).</param>
    /// <param name="printk">trace_printk format strings (printk_formats), loaded on first use.</param>
    public EventFactory(EventCatalog catalog, CommandResolver commands, Lazy<SymbolTable>? symbols = null, SyscallTable? syscalls = null,
        Lazy<PrintkFormats>? printk = null)
    {
        _catalog = catalog;
        _context = new DecodeContext(commands, symbols, syscalls, printk);
    }

    /// <summary>Symbols of the running kernel, read from /proc/kallsyms when first needed.</summary>
    public static Lazy<SymbolTable> LiveSymbols { get; } = new(() =>
    {
        try { return SymbolTable.Parse(File.ReadAllText("/proc/kallsyms")); }
        catch (IOException) { return SymbolTable.Empty; }
        catch (UnauthorizedAccessException) { return SymbolTable.Empty; }
    });

    public CommandResolver Commands => _context.Commands;

    /// <summary>Syscall names of the traced machine (raw_syscalls ids), when known.</summary>
    public SyscallTable? Syscalls => _context.Syscalls;

    /// <summary>Kernel symbols of the trace (kallsyms of the file, or of the running kernel).</summary>
    public Lazy<SymbolTable>? Symbols => _context.Symbols;

    /// <summary>A builder that pairs this trace's function_graph records into calls, with its symbols and command names.</summary>
    public Graph.CallGraphBuilder NewCallGraphBuilder()
    {
        var symbols = _context.Symbols;
        var commands = _context.Commands;
        return new Graph.CallGraphBuilder(a => symbols?.Value.Lookup(a), commands.Lookup);
    }

    public EventCatalog Catalog => _catalog;

    /// <summary>User-space symbols for user stacks: live, from /proc (<see cref="ForLive"/>); a file's, from its PROCMAPS.</summary>
    public UserSymbols? UserSymbols { get => _context.UserSymbols; set => _context.UserSymbols = value; }

    /// <summary>What turns a time stamp into Unix time (ns), for <see cref="TraceEvent.TimeCreated"/>; null when unknown.</summary>
    public long? WallClockOffsetNs { get => _context.WallClockOffsetNs; set => _context.WallClockOffsetNs = value; }

    /// <summary>The host the events were recorded on, for <see cref="TraceEvent.HostName"/>.</summary>
    public string? HostName { get => _context.HostName; set => _context.HostName = value; }

    /// <summary>The host named in a trace.dat UNAME option ("Linux HOST RELEASE ARCH", as trace-cmd and LinuxTrace write it).</summary>
    public static string? HostOf(string? uname) => uname?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 2 } parts ? parts[1] : null;

    /// <summary>A factory for the running kernel: its formats, kallsyms, printk formats, system-call names, and the
    /// command names of saved_cmdlines (then /proc).</summary>
    public static EventFactory ForLive(LinuxTrace.Engine.Tracefs.TraceFileSystem fs)
    {
        var commands = new CommandResolver(useProc: true);
        commands.Refresh(fs);
        var printk = new Lazy<PrintkFormats>(() =>
            fs.PrintkFormats is { } text ? PrintkFormats.Parse(text) : PrintkFormats.Empty);
        return new EventFactory(EventCatalog.ForTracefs(fs), commands, LiveSymbols, SyscallTable.ForThisMachine(), printk) { UserSymbols = UserSymbols.ForLive(), HostName = Environment.MachineName };
    }

    public TraceRecord Create(in RecordRef r)
    {
        if (r.IsLost)
            return new TraceLostEvents(r.Cpu, r.Timestamp, r.Lost, r.LostSince == 0 ? null : r.LostSince,
                r.DroppedByReader ? TraceLostEvents.ReaderQueueFull : TraceLostEvents.RingBufferOverrun);
        int id = r.EventId;
        var layout = id >= 0 ? _layouts[id] ??= Resolve(id) : Resolve(-1);
        var e = layout.Create();
        e._ts = r.Timestamp;
        e._cpu = r.Cpu;
        e._page = r.Page;
        e._off = r.Offset;
        e._len = r.Length;
        e._layout = layout;
        e._context = _context;
        return e;
    }

    private EventLayout Resolve(int id)
    {
        var format = id >= 0 ? _catalog.GetById(id) : null;
        format ??= new EventFormat
        {
            System = "unknown", Name = "event" + id, Id = id,
            Fields =
            [
                new FieldFormat { Name = "common_type", CType = "unsigned short", Offset = 0, Size = 2, Kind = FieldKind.Scalar, ElementSize = 2, IsCommon = true },
                new FieldFormat { Name = "common_pid", CType = "int", Offset = 4, Size = 4, IsSigned = true, Kind = FieldKind.Scalar, ElementSize = 4, IsCommon = true },
            ],
        };
        return EventLayout.For(format, _catalog.LongSize);
    }
}
