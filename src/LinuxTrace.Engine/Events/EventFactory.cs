using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.Events;

/// <summary>Turns raw records into <see cref="TraceEvent"/> / <see cref="TraceLostEvents"/> objects.</summary>
public sealed class EventFactory
{
    private readonly EventCatalog _catalog;
    private readonly CommandResolver _commands;
    private readonly EventLayout?[] _layouts = new EventLayout?[65536];

    private readonly Lazy<LinuxTrace.Engine.Symbols.SymbolTable>? _symbols;

    /// <param name="symbols">Kernel symbols for %ps fields, loaded on first use (kallsyms of the file, or /proc/kallsyms).</param>
    private readonly LinuxTrace.Engine.Symbols.SyscallTable? _syscalls;

    /// <param name="syscalls">System call names of the traced machine's architecture (null when unknown).</param>
    public EventFactory(EventCatalog catalog, CommandResolver commands, Lazy<LinuxTrace.Engine.Symbols.SymbolTable>? symbols = null,
        LinuxTrace.Engine.Symbols.SyscallTable? syscalls = null)
    {
        _catalog = catalog;
        _commands = commands;
        _symbols = symbols;
        _syscalls = syscalls;
    }

    /// <summary>Symbols of the running kernel, read from /proc/kallsyms when first needed.</summary>
    public static Lazy<LinuxTrace.Engine.Symbols.SymbolTable> LiveSymbols { get; } = new(() =>
    {
        try { return LinuxTrace.Engine.Symbols.SymbolTable.Parse(File.ReadAllText("/proc/kallsyms")); }
        catch (IOException) { return LinuxTrace.Engine.Symbols.SymbolTable.Empty; }
        catch (UnauthorizedAccessException) { return LinuxTrace.Engine.Symbols.SymbolTable.Empty; }
    });

    public CommandResolver Commands => _commands;

    public EventCatalog Catalog => _catalog;

    /// <summary>A factory for the running kernel: its formats, kallsyms, system-call names, and the command names
    /// of saved_cmdlines (then /proc).</summary>
    public static EventFactory ForLive(LinuxTrace.Engine.Tracefs.TraceFileSystem fs)
    {
        var commands = new CommandResolver(useProc: true);
        if (LinuxTrace.Engine.Tracefs.TracefsFile.TryRead(Path.Combine(fs.Root, "saved_cmdlines"), out var saved)) commands.Load(saved);
        return new EventFactory(EventCatalog.ForTracefs(fs), commands, LiveSymbols, LinuxTrace.Engine.Symbols.SyscallTable.ForThisMachine());
    }

    public TraceRecord Create(in RecordRef r)
    {
        if (r.IsLost) return new TraceLostEvents(r.Cpu, r.Timestamp, r.Lost, r.LostSince == 0 ? null : r.LostSince, "ring buffer overrun");
        int id = r.EventId;
        var layout = id >= 0 ? _layouts[id] ??= Resolve(id) : Resolve(-1);
        var e = layout.Create();
        e._ts = r.Timestamp;
        e._cpu = r.Cpu;
        e._page = r.Page;
        e._off = r.Offset;
        e._len = r.Length;
        e._layout = layout;
        e._commands = _commands;
        e._symbols = _symbols;
        e._syscalls = _syscalls;
        return e;
    }

    /// <summary>The class events with this id are made as (null for an id the kernel/file does not know).</summary>
    public Type? EventType(int id) => _catalog.GetById(id) is { } f ? EventLayout.For(f).Type : null;

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
        return EventLayout.For(format);
    }
}
