using System.Globalization;
using System.Runtime.InteropServices;

namespace LinuxTrace.Engine.Symbols;

/// <summary>
/// System call numbers to names, per architecture (x86_64, aarch64), from tables generated from the kernel's
/// uapi headers (unistd_64.h, asm-generic/unistd.h) and shipped inside the engine, so that raw_syscalls events
/// can say "openat" rather than 257.
/// </summary>
public sealed class SyscallTable
{
    private readonly Dictionary<long, string> _names;

    private SyscallTable(Dictionary<long, string> names) => _names = names;

    public string? Name(long nr) => _names.GetValueOrDefault(nr);

    public int Count => _names.Count;

    private static readonly Dictionary<string, SyscallTable?> Cache = new(StringComparer.Ordinal);

    /// <summary>The table of an architecture as uname names it (x86_64, aarch64); null when LinuxTrace has none.</summary>
    public static SyscallTable? For(string? architecture)
    {
        string arch = architecture switch
        {
            "x86_64" or "amd64" => "x86_64",
            "aarch64" or "arm64" => "aarch64",
            _ => "",
        };
        if (arch.Length == 0) return null;
        lock (Cache)
        {
            if (Cache.TryGetValue(arch, out var t)) return t;
            using var s = typeof(SyscallTable).Assembly.GetManifestResourceStream($"LinuxTrace.Engine.syscalls-{arch}.txt");
            if (s is null) return Cache[arch] = null;
            var names = new Dictionary<long, string>();
            using var r = new StreamReader(s);
            while (r.ReadLine() is { } line)
            {
                int sp = line.IndexOf(' ');
                if (sp > 0 && long.TryParse(line.AsSpan(0, sp), NumberStyles.Integer, CultureInfo.InvariantCulture, out long nr)) names[nr] = line[(sp + 1)..].Trim();
            }
            return Cache[arch] = new SyscallTable(names);
        }
    }

    /// <summary>The table of the machine LinuxTrace runs on.</summary>
    public static SyscallTable? ForThisMachine() => For(RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "x86_64",
        Architecture.Arm64 => "aarch64",
        _ => null,
    });

    /// <summary>The architecture a uname string names ("Linux host 6.18 x86_64" gives x86_64).</summary>
    public static string? ArchitectureOf(string? uname) => uname?.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
}
