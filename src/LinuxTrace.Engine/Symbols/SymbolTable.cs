using System.Globalization;

namespace LinuxTrace.Engine.Symbols;

/// <summary>Kernel symbols (kallsyms: "address type name [module]") for turning addresses into function names.</summary>
public sealed class SymbolTable
{
    private readonly ulong[] _addresses;
    private readonly string[] _names;

    private SymbolTable(ulong[] addresses, string[] names)
    {
        _addresses = addresses;
        _names = names;
    }

    public int Count => _addresses.Length;

    public static SymbolTable Empty { get; } = new([], []);

    public static SymbolTable Parse(string kallsyms)
    {
        var list = new List<(ulong Address, int Line, string Name)>();
        foreach (var line in kallsyms.AsSpan().EnumerateLines())
        {
            int a = line.IndexOf(' ');
            if (a <= 0 || a + 3 > line.Length) continue;
            if (!ulong.TryParse(line[..a], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong addr) || addr == 0) continue;
            var rest = line[(a + 3)..];
            int sp = rest.IndexOfAny(' ', '\t');
            string name = sp < 0 ? rest.ToString() : rest[..sp].ToString();
            list.Add((addr, list.Count, name));
        }
        // by address, and at one address in kallsyms order (List.Sort alone is not stable): Find relies on it
        list.Sort((x, y) => x.Address != y.Address ? x.Address.CompareTo(y.Address) : x.Line.CompareTo(y.Line));
        return new SymbolTable(list.Select(x => x.Address).ToArray(), list.Select(x => x.Name).ToArray());
    }

    /// <summary>The symbol containing <paramref name="address"/> ("name", or "name+0xoff" with <paramref name="withOffset"/>); null when unknown.</summary>
    public string? Lookup(ulong address, bool withOffset = false)
    {
        if (Find(address) is not { } s) return null;
        ulong off = address - s.Address;
        return withOffset && off != 0 ? $"{s.Name}+0x{off:x}" : s.Name;
    }

    /// <summary>The symbol whose range holds <paramref name="address"/>, with its start address; null when unknown.</summary>
    public KernelSymbol? Find(ulong address)
    {
        if (_addresses.Length == 0 || address < _addresses[0]) return null;
        int i = Array.BinarySearch(_addresses, address);
        if (i < 0) i = ~i - 1;
        // Several names at one address (__do_sys_sched_yield, __ia32_sys_sched_yield, __x64_sys_sched_yield): the
        // first kallsyms lists, as libtraceevent (trace-cmd report, KernelShark) names it. It prepends each kallsyms
        // line to a list, sorts that by address with glibc's stable merge sort, and bsearches for the entry whose
        // address is <= the key < the next entry's: at a shared address only the last of the run, the first line of
        // the file, matches an address inside the function (a return address on a stack).
        while (i > 0 && _addresses[i - 1] == _addresses[i]) i--;
        if (address - _addresses[i] > 1 << 24) return null; // far past the last symbol: not a kernel text address
        return new KernelSymbol(_names[i], _addresses[i]);
    }

    private Dictionary<string, ulong>? _byName;

    /// <summary>The address of a symbol by name (the first one kallsyms lists), or null.</summary>
    public ulong? AddressOf(string name)
    {
        var map = _byName;
        if (map is null)
        {
            map = new Dictionary<string, ulong>(StringComparer.Ordinal);
            for (int i = 0; i < _names.Length; i++) map.TryAdd(_names[i], _addresses[i]);
            _byName = map;
        }
        return map.TryGetValue(name, out ulong a) ? a : null;
    }
}
