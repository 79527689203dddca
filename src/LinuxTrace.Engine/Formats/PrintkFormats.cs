using System.Globalization;

namespace LinuxTrace.Engine.Formats;

/// <summary>The kernel's trace_printk format strings by address (printk_formats), as libtraceevent keeps them:
/// without the quotes and without a trailing "\n".</summary>
public sealed class PrintkFormats
{
    private readonly Dictionary<ulong, string> _byAddress;

    private PrintkFormats(Dictionary<ulong, string> byAddress) => _byAddress = byAddress;

    public static PrintkFormats Empty { get; } = new(new Dictionary<ulong, string>());

    public int Count => _byAddress.Count;

    public string? Lookup(ulong address) => _byAddress.GetValueOrDefault(address);

    /// <summary>Parses "0xffffffff82a4f2a8 : \"fmt\"" lines (tracefs printk_formats, the printk section of trace.dat).</summary>
    public static PrintkFormats Parse(string text)
    {
        var map = new Dictionary<ulong, string>();
        foreach (var raw in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = raw.IndexOf(':');
            if (colon < 0) continue;
            var addr = raw.AsSpan(0, colon).Trim();
            if (addr.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) addr = addr[2..];
            if (!ulong.TryParse(addr, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong a)) continue;
            string fmt = colon + 2 <= raw.Length ? raw[(colon + 2)..] : "";
            if (fmt.StartsWith('"')) fmt = fmt[1..];
            if (fmt.EndsWith('"')) fmt = fmt[..^1];
            if (fmt.EndsWith("\\n", StringComparison.Ordinal)) fmt = fmt[..^2];
            map[a] = fmt;
        }
        return new PrintkFormats(map);
    }
}
