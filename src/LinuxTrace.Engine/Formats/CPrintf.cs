using System.Globalization;
using System.Text;

namespace LinuxTrace.Engine.Formats;

/// <summary>One printf conversion of a print fmt: its flags, width, precision, length and conversion character.</summary>
internal readonly struct PrintSpec
{
    public bool Left { get; init; }
    public bool Zero { get; init; }
    public bool Plus { get; init; }
    public bool Space { get; init; }
    public bool Alternate { get; init; }
    /// <summary>-1 when absent.</summary>
    public int Width { get; init; }
    /// <summary>-1 when absent.</summary>
    public int Precision { get; init; }
    /// <summary>-2 hh, -1 h, 0 none, 1 l/z, 2 ll/L.</summary>
    public int Length { get; init; }
    public char Conversion { get; init; }

    public static PrintSpec None => new() { Width = -1, Precision = -1 };
}

/// <summary>C printf for the conversions print formats use, byte for byte as glibc prints them.</summary>
internal static class CPrintf
{
    public static char Unescape(char c) => c switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => c };

    /// <summary>%s: precision cuts, width pads (left with '-').</summary>
    public static void AppendString(StringBuilder sb, string s, in PrintSpec spec)
    {
        if (spec.Precision >= 0 && s.Length > spec.Precision) s = s[..spec.Precision];
        int pad = spec.Width - s.Length;
        if (pad > 0 && !spec.Left) sb.Append(' ', pad);
        sb.Append(s);
        if (pad > 0 && spec.Left) sb.Append(' ', pad);
    }

    /// <summary>%d %i %u %x %X %o %c with the value taken at the width its length modifier gives (int by default).</summary>
    public static void AppendInteger(StringBuilder sb, ulong raw, in PrintSpec spec)
    {
        int bits = spec.Length switch { <= -2 => 8, -1 => 16, 0 => 32, _ => 64 };
        ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        ulong v = raw & mask;
        if (spec.Conversion == 'c')
        {
            AppendString(sb, ((char)(byte)v).ToString(), spec with { Precision = -1 });
            return;
        }
        bool negative = false;
        ulong magnitude = v;
        if (spec.Conversion is 'd' or 'i')
        {
            long s = bits == 64 ? (long)v : ((long)(v << (64 - bits))) >> (64 - bits);
            negative = s < 0;
            magnitude = negative ? (ulong)(-(s + 1)) + 1 : (ulong)s;
        }
        string digits = spec.Conversion switch
        {
            'x' => magnitude.ToString("x", CultureInfo.InvariantCulture),
            'X' => magnitude.ToString("X", CultureInfo.InvariantCulture),
            'o' => Octal(magnitude),
            _ => magnitude.ToString(CultureInfo.InvariantCulture),
        };
        if (spec.Precision == 0 && magnitude == 0) digits = "";
        if (spec.Precision > digits.Length) digits = new string('0', spec.Precision - digits.Length) + digits;
        string prefix = "";
        if (negative) prefix = "-";
        else if (spec.Conversion is 'd' or 'i' && spec.Plus) prefix = "+";
        else if (spec.Conversion is 'd' or 'i' && spec.Space) prefix = " ";
        if (spec.Alternate)
        {
            if (spec.Conversion == 'o' && !digits.StartsWith('0')) digits = "0" + digits;
            else if (spec.Conversion == 'x' && magnitude != 0) prefix = "0x";
            else if (spec.Conversion == 'X' && magnitude != 0) prefix = "0X";
        }
        int len = prefix.Length + digits.Length;
        int pad = spec.Width - len;
        if (pad <= 0) { sb.Append(prefix).Append(digits); return; }
        if (spec.Left) { sb.Append(prefix).Append(digits).Append(' ', pad); return; }
        if (spec.Zero && spec.Precision < 0) { sb.Append(prefix).Append('0', pad).Append(digits); return; }
        sb.Append(' ', pad).Append(prefix).Append(digits);
    }

    private static string Octal(ulong v)
    {
        if (v == 0) return "0";
        Span<char> buf = stackalloc char[24];
        int i = buf.Length;
        while (v != 0) { buf[--i] = (char)('0' + (int)(v & 7)); v >>= 3; }
        return new string(buf[i..]);
    }

    /// <summary>glibc's %p: "(nil)" for 0, else 0x and the hex digits.</summary>
    public static void AppendPointer(StringBuilder sb, ulong v)
    {
        if (v == 0) sb.Append("(nil)");
        else sb.Append("0x").Append(v.ToString("x", CultureInfo.InvariantCulture));
    }
}
