using LinuxTrace.Engine.Symbols;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Probes;

/// <summary>Where a uprobe goes: the file, the file offset the kernel takes, and the function it is in (when known).</summary>
public sealed record UserProbeTarget(string Path, long Offset, string? Function, bool IsIndirectFunction)
{
    /// <summary>PATH:0xOFFSET, as uprobe_events takes it.</summary>
    public string ToKernelTarget(long? referenceCounterOffset = null) =>
        $"{Path}:0x{Offset:x}" + (referenceCounterOffset is { } r ? $"(0x{r:x})" : "");

    /// <summary>
    /// Resolves a program or library (<see cref="LibraryPath"/>) and a function in it (its .symtab and .dynsym; the
    /// PT_LOAD segment that maps the symbol gives the file offset) or a file offset. An unknown function is an error
    /// with close matches from the file's own symbols.
    /// </summary>
    public static UserProbeTarget Resolve(string file, string? function, long? offset, int? processId = null, string? workingDirectory = null)
    {
        string path = ResolveFile(file, processId, workingDirectory);
        if (function is null) return new UserProbeTarget(path, offset ?? 0, null, false);
        long extra = offset ?? 0;
        int plus = function.IndexOf('+');
        if (plus > 0 && ProbeDefinition.ParseNumber(function[(plus + 1)..]) is { } o) { extra += o; function = function[..plus]; }
        var elf = ElfFile.Open(path);
        var symbols = elf.FunctionSymbols();
        var matches = symbols.Where(s => s.Name == function).ToArray();
        if (matches.Length == 0)
        {
            // versioned names (getpid@@GLIBC_2.2.5) as nm -D shows them
            int at = function.IndexOf('@');
            if (at > 0) matches = symbols.Where(s => s.Name == function[..at]).ToArray();
        }
        if (matches.Length == 0)
        {
            var close = CloseMatch.Suggest(function, symbols.Select(s => s.Name).Distinct(), 5);
            string why = symbols.Count == 0 ? " The file has no function symbols (stripped of .symtab and without .dynsym): give a file offset with -Offset." : "";
            throw new TraceException(TraceErrorKind.NotFound,
                $"{path} has no function named '{function}'.{(close.Count > 0 ? " Close matches: " + string.Join(", ", close) + "." : "")}{why}", path)
                { ErrorId = "UserFunctionNotFound" };
        }
        var distinct = matches.GroupBy(m => m.Address).Select(g => g.OrderByDescending(s => s.IsGlobal).First()).ToArray();
        if (distinct.Length > 1)
        {
            var globals = distinct.Where(d => d.IsGlobal).ToArray();
            if (globals.Length == 1) distinct = globals;
            else
                throw new TraceException(TraceErrorKind.InvalidArgument,
                    $"'{function}' is not unique in {path}: it is at {string.Join(", ", distinct.Select(d => $"0x{d.Address:x}"))}. Give the file offset with -Offset.", path)
                    { ErrorId = "UserFunctionNotUnique" };
        }
        var sym = distinct[0];
        if (sym.FileOffset < 0)
            throw new TraceException(TraceErrorKind.InvalidArgument, $"'{function}' (0x{sym.Address:x}) is in no loadable segment of {path}: it cannot be probed.", path) { ErrorId = "UserFunctionNotMapped" };
        return new UserProbeTarget(path, sym.FileOffset + extra, function, sym.IsIndirect);
    }

    /// <summary>The file a uprobe is placed in: it must exist and be an ELF file.</summary>
    public static string ResolveFile(string file, int? processId = null, string? workingDirectory = null)
    {
        string? path = LibraryPath.Resolve(file, processId, workingDirectory);
        if (path is null || !File.Exists(path))
        {
            string where = processId is { } p ? $" mapped by process {p}" : file.Contains('/') ? "" : " on PATH, in the linker cache (ldconfig -p) or in the library directories";
            throw new TraceException(TraceErrorKind.NotFound, $"There is no file '{file}'{where}.", path ?? file) { ErrorId = "ProbeFileNotFound" };
        }
        return path;
    }

    /// <summary>
    /// Rewrites a uprobe definition whose place is PATH:SYMBOL[+off] or NAME:SYMBOL (bash:readline, libc:getpid) into
    /// PATH:0xOFFSET; a place that already is PATH:OFFSET is kept. Kernel probes are returned unchanged.
    /// </summary>
    public static ProbeDefinition.Parts Normalize(ProbeDefinition.Parts parts, string? workingDirectory = null)
    {
        if (parts.Kind is not ('p' or 'r')) return parts;
        string t = parts.Target;
        bool ret = t.EndsWith("%return", StringComparison.Ordinal);
        if (ret) t = t[..^7];
        string refCtr = "";
        int paren = t.IndexOf('(');
        if (paren > 0 && t.EndsWith(')')) { refCtr = t[paren..]; t = t[..paren]; }
        int colon = t.LastIndexOf(':');
        if (colon <= 0) return parts;
        string file = t[..colon], place = t[(colon + 1)..];
        bool userish = file.Contains('/') || LooksLikeBinary(file);
        if (!userish) return parts; // mod:sym of a kernel probe
        string kernelTarget;
        if (ProbeDefinition.ParseNumber(place) is { } off)
            kernelTarget = $"{ResolveFile(file, null, workingDirectory)}:0x{off:x}";
        else
            kernelTarget = Resolve(file, place, null, null, workingDirectory).ToKernelTarget();
        return parts with { Target = kernelTarget + refCtr + (ret ? "%return" : "") };
    }

    /// <summary>True for a name that is a program on PATH or a library, not a kernel module.</summary>
    private static bool LooksLikeBinary(string name)
    {
        if (File.Exists("/sys/module/" + name) || Directory.Exists("/sys/module/" + name)) return false;
        return LibraryPath.Resolve(name) is not null;
    }
}
