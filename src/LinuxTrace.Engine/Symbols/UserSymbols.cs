using System.Globalization;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Symbols;

/// <summary>
/// Turns user-space addresses of a process into function names, as a user stack (the userstacktrace option) needs:
/// the process's maps say which file and which offset in it, the file's ELF symbol tables (.symtab, else .dynsym) say
/// which function. Live, the maps are read from /proc when a process is first seen (and again when an address falls
/// outside them: an exec, a dlopen); from a file, only the maps it carries (trace-cmd record --proc-map, or LinuxTrace's
/// own -OutFile) are used, never the /proc of whatever process has that pid now.
/// </summary>
public sealed class UserSymbols
{
    private readonly bool _live;
    private readonly object _gate = new();
    private readonly Dictionary<int, ProcessMaps?> _maps = new();
    private readonly Dictionary<int, long> _readAt = new();
    private readonly Dictionary<string, FileSymbols?> _files = new(StringComparer.Ordinal);

    private UserSymbols(bool live) => _live = live;

    /// <summary>For a live trace: maps from /proc.</summary>
    public static UserSymbols ForLive() => new(live: true);

    /// <summary>For a file: only the maps it holds.</summary>
    public static UserSymbols FromMaps(IEnumerable<ProcessMaps> maps)
    {
        var u = new UserSymbols(live: false);
        foreach (var m in maps) u._maps[m.ProcessId] = m;
        return u;
    }

    /// <summary>The maps known so far, one per process (for a trace.dat file's PROCMAPS options).</summary>
    public IReadOnlyList<ProcessMaps> KnownMaps
    {
        get { lock (_gate) return _maps.Values.Where(m => m is { Mappings.Count: > 0 }).Select(m => m!).ToArray(); }
    }

    /// <summary>Live: reads the maps of <paramref name="processId"/> now if they are not known yet, while the process
    /// may still run (called when its first user stack is seen).</summary>
    public void Note(int processId)
    {
        if (!_live || processId <= 0) return;
        lock (_gate)
        {
            if (!_maps.ContainsKey(processId)) Reload(processId);
        }
    }

    /// <summary>Live: reads the maps of <paramref name="processId"/> again (its latest before it exits).</summary>
    public void Refresh(int processId)
    {
        if (!_live || processId <= 0) return;
        lock (_gate)
        {
            var fresh = ProcessMaps.ReadLive(processId);
            if (fresh is not null) { _maps[processId] = fresh; _readAt[processId] = Environment.TickCount64; }
        }
    }

    private ProcessMaps? Reload(int pid)
    {
        var fresh = ProcessMaps.ReadLive(pid);
        _readAt[pid] = Environment.TickCount64;
        if (fresh is not null || !_maps.ContainsKey(pid)) _maps[pid] = fresh; // a process that has gone keeps what was read
        return _maps[pid];
    }

    /// <summary>
    /// The function at <paramref name="address"/> in process <paramref name="processId"/>: "name" when a symbol covers
    /// it, "file+0xoffset" when only the mapped file is known, "0x…" when nothing is.
    /// </summary>
    public string Resolve(int processId, ulong address)
    {
        ProcessMapping? m;
        lock (_gate)
        {
            _maps.TryGetValue(processId, out var maps);
            if (maps is null && _live && !_maps.ContainsKey(processId)) maps = Reload(processId);
            m = maps?.Find(address);
            if (m is null && _live && (!_readAt.TryGetValue(processId, out long at) || Environment.TickCount64 - at > 200))
                m = Reload(processId)?.Find(address);
        }
        if (m is not { } map) return Hex(address);
        ulong fileOffset = address - map.Start + map.FileOffset;
        var file = Symbols(map.Path);
        // a return address is the instruction after the call: look up the byte before it (a call may end a function)
        if (file?.Lookup((long)fileOffset - (fileOffset > 0 ? 1 : 0)) is { } name) return name;
        return $"{Path.GetFileName(map.Path)}+0x{fileOffset.ToString("x", CultureInfo.InvariantCulture)}";
    }

    private static string Hex(ulong a) => "0x" + a.ToString("x", CultureInfo.InvariantCulture);

    private FileSymbols? Symbols(string path)
    {
        lock (_gate)
        {
            if (_files.TryGetValue(path, out var f)) return f;
            // device memory (a GPU's /dev/dri node), /proc and /sys files, memfd: never opened as ELF files
            if (path.StartsWith("/dev/", StringComparison.Ordinal) || path.StartsWith("/proc/", StringComparison.Ordinal)
                || path.StartsWith("/sys/", StringComparison.Ordinal) || path.StartsWith("/memfd:", StringComparison.Ordinal))
                return _files[path] = null;
            try { f = new FileSymbols(ElfFile.Open(path)); }
            catch (TraceException) { f = null; }
            catch (IOException) { f = null; }
            catch (UnauthorizedAccessException) { f = null; }
            _files[path] = f;
            return f;
        }
    }

    /// <summary>A file's function symbols by address, for lookups by file offset.</summary>
    private sealed class FileSymbols
    {
        private readonly ElfFile _elf;
        private readonly ulong[] _starts;
        private readonly ulong[] _ends;
        private readonly string[] _names;

        public FileSymbols(ElfFile elf)
        {
            _elf = elf;
            // .symtab and .dynsym both: the first name at an address wins (FunctionSymbols lists .symtab first)
            var syms = elf.FunctionSymbols().GroupBy(s => s.Address).Select(g => g.First()).OrderBy(s => s.Address).ToArray();
            _starts = syms.Select(s => s.Address).ToArray();
            _ends = syms.Select(s => s.Size > 0 ? s.Address + s.Size : ulong.MaxValue).ToArray();
            _names = syms.Select(s => s.Name).ToArray();
        }

        public string? Lookup(long fileOffset)
        {
            if (_elf.VirtualAddressOf(fileOffset) is not { } va || _starts.Length == 0) return null;
            int i = Array.BinarySearch(_starts, va);
            if (i < 0) i = ~i - 1;
            if (i < 0) return null;
            // a symbol with no size covers up to the next one
            ulong end = _ends[i] != ulong.MaxValue ? _ends[i] : i + 1 < _starts.Length ? _starts[i + 1] : _starts[i] + 1;
            return va < end ? _names[i] : null;
        }
    }
}
