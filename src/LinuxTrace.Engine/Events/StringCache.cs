using System.Text;

namespace LinuxTrace.Engine.Events;

/// <summary>
/// Returns the same string instance for the same short byte string (command names, file names seen often),
/// so decoding millions of events does not allocate millions of copies of "bash". Lock-free, lossy.
/// </summary>
internal static class StringCache
{
    private const int Slots = 4096;
    private const int MaxLength = 48;
    private static readonly string?[] Table = new string?[Slots];

    public static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0) return "";
        if (utf8.Length > MaxLength) return Encoding.UTF8.GetString(utf8);
        uint h = 2166136261;
        foreach (byte b in utf8)
        {
            if (b >= 0x80) return Encoding.UTF8.GetString(utf8); // non-ASCII: no caching
            h = (h ^ b) * 16777619;
        }
        int slot = (int)(h & (Slots - 1));
        string? s = Table[slot];
        if (s is not null && Matches(s, utf8)) return s;
        s = Encoding.ASCII.GetString(utf8);
        Table[slot] = s;
        return s;
    }

    private static bool Matches(string s, ReadOnlySpan<byte> b)
    {
        if (s.Length != b.Length) return false;
        for (int i = 0; i < b.Length; i++) if (s[i] != b[i]) return false;
        return true;
    }
}
