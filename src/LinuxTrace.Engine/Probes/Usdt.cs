using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LinuxTrace.Engine.Symbols;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Probes;

/// <summary>
/// USDT probes (&lt;sys/sdt.h&gt; STAP_PROBE, DTRACE_PROBE): the ELF ".note.stapsdt" notes (type 3, owner "stapsdt"),
/// each holding the probe's address, the link-time address of ".stapsdt.base", the semaphore's address, then
/// "provider\0name\0args\0". The address is adjusted by where .stapsdt.base really is (prelink), turned into a file
/// offset through the segments, and each argument spec (-4@%eax, 8@-16(%rbp), 4@$5, 8@sym(%rip)) into a uprobe
/// fetch argument with the note's size and sign.
/// </summary>
public static partial class Usdt
{
    private const uint NoteType = 3;

    /// <summary>The USDT probes of <paramref name="path"/> (none when it has no .note.stapsdt).</summary>
    public static IReadOnlyList<UsdtProbe> Read(string path)
    {
        var elf = ElfFile.Open(path);
        var probes = new List<UsdtProbe>();
        ulong? baseActual = elf.SectionAddress(".stapsdt.base");
        int addr = elf.Is64 ? 8 : 4;
        foreach (var note in elf.Notes(".note.stapsdt"))
        {
            if (note.Name != "stapsdt" || note.Type != NoteType || note.Descriptor.Length < 3 * addr + 3) continue;
            var d = note.Descriptor;
            ulong pc = elf.ReadAddress(d, 0), linkBase = elf.ReadAddress(d, addr), sem = elf.ReadAddress(d, 2 * addr);
            int o = 3 * addr;
            string provider = Next(d, ref o), name = Next(d, ref o), args = Next(d, ref o);
            if (baseActual is { } b && linkBase != 0)
            {
                pc += b - linkBase;
                if (sem != 0) sem += b - linkBase;
            }
            long fileOffset = elf.FileOffsetOf(pc, executableOnly: true) ?? elf.FileOffsetOf(pc) ?? -1;
            long? semOffset = sem != 0 ? elf.FileOffsetOf(sem) : null;
            var specs = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var fetch = new List<ProbeArgument>();
            var unsupported = new List<string>();
            for (int i = 0; i < specs.Length; i++)
            {
                var arg = ToFetchArgument(specs[i], i + 1, elf.Machine, pc, fileOffset, elf, out string? why);
                if (arg is not null) fetch.Add(arg);
                else unsupported.Add($"arg{i + 1} ({specs[i]}): {why}");
            }
            probes.Add(new UsdtProbe
            {
                Provider = provider,
                Name = name,
                Path = path,
                Address = pc,
                FileOffset = fileOffset,
                SemaphoreAddress = sem != 0 ? sem : null,
                SemaphoreOffset = semOffset,
                ArgumentSpecs = specs,
                Arguments = fetch,
                Unsupported = unsupported,
            });
        }
        return probes;
    }

    private static string Next(byte[] d, ref int o)
    {
        int end = Array.IndexOf(d, (byte)0, o);
        if (end < 0) end = d.Length;
        string s = Encoding.UTF8.GetString(d, o, end - o);
        o = Math.Min(d.Length, end + 1);
        return s;
    }

    [GeneratedRegex(@"^(?<sign>-)?(?<size>\d+)@(?<loc>.+)$")]
    private static partial Regex Spec();

    [GeneratedRegex(@"^(?<disp>[-+]?(?:0x[0-9a-fA-F]+|\d+))?\((?<reg>%[a-z0-9]+)\)$")]
    private static partial Regex X86Memory();

    [GeneratedRegex(@"^(?<sym>[A-Za-z_.$][\w.$@]*)(?<off>[-+]\d+)?\(%rip\)$")]
    private static partial Regex X86RipRelative();

    [GeneratedRegex(@"^\[(?<reg>sp|x\d+)(?:,\s*#?(?<disp>-?\d+))?\]$")]
    private static partial Regex Arm64Memory();

    /// <summary>One argument spec (-4@%eax, 8@-16(%rbp), 4@$5; x86-64, or aarch64 with <paramref name="arm64"/>) as a uprobe
    /// fetch argument named arg<paramref name="index"/>; null with <paramref name="why"/> when no uprobe can fetch it.
    /// Variables (sym(%rip)) need the file: <see cref="Read"/> resolves those.</summary>
    public static ProbeArgument? ConvertSpec(string spec, int index, bool arm64, out string? why) =>
        ToFetchArgument(spec, index, arm64 ? 183 : 62, 0, 0, null, out why);

    /// <summary>
    /// One argument spec as a uprobe fetch argument named arg<paramref name="index"/>, typed by the spec's size and sign;
    /// null with <paramref name="why"/> when the kernel cannot fetch it (indexed addressing, a high-byte register).
    /// </summary>
    internal static ProbeArgument? ToFetchArgument(string spec, int index, int machine, ulong pc, long pcOffset, ElfFile? elf, out string? why)
    {
        why = null;
        string type = "u64", loc = spec;
        var m = Spec().Match(spec);
        if (m.Success)
        {
            int size = int.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture);
            if (size is not (1 or 2 or 4 or 8)) { why = $"size {size} is not 1, 2, 4 or 8"; return null; }
            type = (m.Groups["sign"].Success ? "s" : "u") + (size * 8).ToString(CultureInfo.InvariantCulture);
            loc = m.Groups["loc"].Value;
        }
        string name = $"arg{index}";
        string? fetch = machine == 183 /* EM_AARCH64 */ ? Arm64(loc, out why) : X86(loc, pc, pcOffset, elf, out why);
        return fetch is null ? null : new ProbeArgument(name, fetch, type);
    }

    private static string? X86(string loc, ulong pc, long pcOffset, ElfFile? elf, out string? why)
    {
        why = null;
        if (loc.StartsWith('%')) return Register(loc, out why) is { } r ? "%" + r : null;
        if (loc.StartsWith('$')) return "\\" + loc[1..];
        var rip = X86RipRelative().Match(loc);
        if (rip.Success)
        {
            // a variable: fetch it from the same file, by its offset relative to the probe (@+OFFSET)
            var sym = elf?.SymbolAddress(rip.Groups["sym"].Value);
            if (sym is null) { why = $"the variable {rip.Groups["sym"].Value} is not in the file's symbol table"; return null; }
            long off = rip.Groups["off"].Success ? long.Parse(rip.Groups["off"].Value, CultureInfo.InvariantCulture) : 0;
            long fileRelative = (long)sym.Value + off - ((long)pc - pcOffset);
            return $"@+0x{fileRelative:x}";
        }
        var mem = X86Memory().Match(loc);
        if (mem.Success)
        {
            if (Register(mem.Groups["reg"].Value, out why) is not { } reg) return null;
            long disp = 0;
            if (mem.Groups["disp"].Success)
            {
                string d = mem.Groups["disp"].Value;
                bool neg = d.StartsWith('-');
                d = d.TrimStart('-', '+');
                disp = d.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? long.Parse(d[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : long.Parse(d, CultureInfo.InvariantCulture);
                if (neg) disp = -disp;
            }
            return (disp < 0 ? "-" : "+") + Math.Abs(disp).ToString(CultureInfo.InvariantCulture) + "(%" + reg + ")";
        }
        why = "indexed or symbolic addressing has no uprobe fetch argument";
        return null;
    }

    /// <summary>An x86-64 register of any width, as pt_regs names it (%eax, %ax, %al: ax; %r8d: r8).</summary>
    private static string? Register(string reg, out string? why)
    {
        why = null;
        string r = reg.TrimStart('%');
        if (r is "ah" or "bh" or "ch" or "dh") { why = $"%{r} is a high-byte register"; return null; }
        if (r.Length >= 2 && r[0] == 'r' && char.IsDigit(r[1]))
        {
            string n = new(r.Skip(1).TakeWhile(char.IsDigit).ToArray());
            return "r" + n;
        }
        string core = r switch
        {
            "rax" or "eax" or "ax" or "al" => "ax",
            "rbx" or "ebx" or "bx" or "bl" => "bx",
            "rcx" or "ecx" or "cx" or "cl" => "cx",
            "rdx" or "edx" or "dx" or "dl" => "dx",
            "rsi" or "esi" or "si" or "sil" => "si",
            "rdi" or "edi" or "di" or "dil" => "di",
            "rbp" or "ebp" or "bp" or "bpl" => "bp",
            "rsp" or "esp" or "sp" or "spl" => "sp",
            "rip" or "eip" or "ip" => "ip",
            _ => "",
        };
        if (core.Length == 0) { why = $"unknown register %{r}"; return null; }
        return core;
    }

    private static string? Arm64(string loc, out string? why)
    {
        why = null;
        if (Regex.IsMatch(loc, @"^[xw]\d+$")) return "%x" + loc[1..];
        if (loc == "sp") return "%sp";
        if (Regex.IsMatch(loc, @"^-?\d+$")) return "\\" + loc;
        var m = Arm64Memory().Match(loc);
        if (m.Success)
        {
            string reg = m.Groups["reg"].Value;
            long disp = m.Groups["disp"].Success ? long.Parse(m.Groups["disp"].Value, CultureInfo.InvariantCulture) : 0;
            return (disp < 0 ? "-" : "+") + Math.Abs(disp).ToString(CultureInfo.InvariantCulture) + "(%" + reg + ")";
        }
        why = "this addressing has no uprobe fetch argument";
        return null;
    }

    /// <summary>The probe <paramref name="providerAndName"/> (provider:name, or name alone when unique) of <paramref name="path"/>.</summary>
    public static UsdtProbe Find(string path, string providerAndName)
    {
        var all = Read(path);
        int colon = providerAndName.IndexOf(':');
        string? provider = colon > 0 ? providerAndName[..colon] : null;
        string name = colon > 0 ? providerAndName[(colon + 1)..] : providerAndName;
        var hits = all.Where(p => p.Name == name && (provider is null || p.Provider == provider)).ToArray();
        if (hits.Length == 0)
        {
            var close = CloseMatch.Suggest(providerAndName, all.Select(p => p.FullName).Distinct(), 5);
            throw new TraceException(TraceErrorKind.NotFound,
                all.Count == 0 ? $"{path} has no USDT probes (no .note.stapsdt section)."
                    : $"{path} has no USDT probe '{providerAndName}'.{(close.Count > 0 ? " Close matches: " + string.Join(", ", close) + "." : " It has: " + string.Join(", ", all.Select(p => p.FullName).Distinct().Take(10)) + ".")}",
                path) { ErrorId = "UsdtProbeNotFound" };
        }
        // one probe name can have several sites (inlined copies): the kernel needs one uprobe per site
        return hits[0];
    }

    /// <summary>Every site of <paramref name="providerAndName"/> (a probe macro expanded in several places has several).</summary>
    public static IReadOnlyList<UsdtProbe> FindAll(string path, string providerAndName)
    {
        var first = Find(path, providerAndName);
        return Read(path).Where(p => p.FullName == first.FullName).ToArray();
    }
}
