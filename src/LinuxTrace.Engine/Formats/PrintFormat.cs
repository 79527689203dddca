using System.Globalization;
using System.Text;

namespace LinuxTrace.Engine.Formats;

/// <summary>
/// An event's "print fmt", parsed once into literal text and printf conversions over small expression trees, and
/// rendered per event the way the kernel's trace file and trace-cmd report -N (libtraceevent without plugins) show
/// it: __print_flags, __print_symbolic, __get_str, __print_hex, %ps/%pS with kallsyms, %pI4/%pI6c/%pM/%pU, bitmasks,
/// ternaries, arithmetic on REC->field, sizeof, trace_printk (bprint) formats from printk_formats. A format it cannot
/// read renders as "[FAILED TO PARSE]" followed by field=value, as libtraceevent does, and is counted.
/// </summary>
public sealed class PrintFormat
{
    private readonly PrintSegment[] _segments;
    private readonly EventFormat _event;
    private readonly Kind _kind;
    private static long _fallbacks;

    private enum Kind { Format, Failed, Function, BinaryPrintk }

    private PrintFormat(EventFormat format, PrintSegment[] segments, Kind kind, string? problem)
    {
        _event = format;
        _segments = segments;
        _kind = kind;
        Problem = problem;
    }

    /// <summary>Why the print fmt cannot be rendered (null when it can).</summary>
    public string? Problem { get; }

    public bool CanRender => _kind != Kind.Failed;

    /// <summary>How many messages fell back to field=value since the process started.</summary>
    public static long FallbackCount => Interlocked.Read(ref _fallbacks);

    /// <summary>Fields the kernel prints as symbols (%ps, %pS...), and whether with an offset.</summary>
    public IReadOnlyList<(string Field, bool WithOffset)> SymbolFields =>
        _segments.OfType<PointerSegment>().Where(p => p.IsSymbol && p.Argument.DirectField is not null)
            .Select(p => (p.Argument.DirectField!.Name, p.SymbolWithOffset)).Distinct().ToArray();

    /// <summary>Parses <paramref name="format"/>'s print fmt; never throws (a format it cannot read renders as fields).</summary>
    public static PrintFormat Parse(EventFormat format, int longSize)
    {
        if (format.System == "ftrace" && format.Name == "bprint") return new PrintFormat(format, [], Kind.BinaryPrintk, null);
        PrintSegment[] segments;
        try
        {
            var tokens = PrintLexer.Tokenize(format.PrintFormat);
            if (tokens[0].Kind != TokenKind.String) throw new FormatException("the print fmt does not start with a string");
            List<PrintNode> args = [];
            if (!tokens[1].Is(",") && tokens[1].Kind != TokenKind.End) throw new FormatException($"expected ',' after the format string but found {tokens[1]}");
            if (tokens[1].Is(",")) args = PrintParser.ParseArguments(tokens, 2, format, longSize);
            segments = Segments(tokens[0].Text, args, strict: true);
        }
        catch (FormatException e)
        {
            return new PrintFormat(format, [], Kind.Failed, $"{format.FullName}: {e.Message}");
        }
        // trace-cmd prints function records its own way, as the kernel's trace file does: "func <-- parent"
        bool function = format.System == "ftrace" && format.Name == "function" && format.GetField("ip") is not null && format.GetField("parent_ip") is not null;
        return new PrintFormat(format, segments, function ? Kind.Function : Kind.Format, null);
    }

    /// <summary>The message of one record, without the one trailing newline a marker or trace_printk line ends with
    /// (trace-cmd report drops it too, as the end of its line).</summary>
    public string Render(in PrintContext c)
    {
        var sb = Builder;
        sb.Clear();
        Render(sb, c);
        if (sb.Length > 0 && sb[^1] == '\n') sb.Length--;
        return sb.ToString();
    }

    [ThreadStatic] private static StringBuilder? _builder;
    private static StringBuilder Builder => _builder ??= new StringBuilder(256);

    public void Render(StringBuilder sb, in PrintContext c)
    {
        int start = sb.Length;
        try
        {
            switch (_kind)
            {
                case Kind.Format:
                    foreach (var s in _segments) s.Append(sb, c);
                    return;
                case Kind.Function:
                    Function(sb, c);
                    return;
                case Kind.BinaryPrintk:
                    BinaryPrintk(sb, c);
                    return;
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            sb.Length = start;
        }
        Interlocked.Increment(ref _fallbacks);
        sb.Append("[FAILED TO PARSE]");
        foreach (var f in _event.FieldArray)
        {
            if (f.IsCommon) continue;
            sb.Append(' ').Append(f.Name).Append('=');
            RawField(sb, c, f);
        }
    }

    private void Function(StringBuilder sb, in PrintContext c)
    {
        var ip = _event.GetField("ip")!;
        var parent = _event.GetField("parent_ip")!;
        ulong a = c.ReadNumber(ip.Offset, ip.Size), b = c.ReadNumber(parent.Offset, parent.Size);
        string? fa = c.Symbols?.Lookup(a), fb = c.Symbols?.Lookup(b);
        if (fa is not null) sb.Append(fa).Append(" <-- ");
        else sb.Append("0x").Append(a.ToString("x", CultureInfo.InvariantCulture));
        if (fb is not null) sb.Append(fb);
        else sb.Append("0x").Append(b.ToString("x", CultureInfo.InvariantCulture));
    }

    // ---- trace_printk records: the format comes from printk_formats, the arguments are packed in buf ----

    private readonly Dictionary<ulong, (string Format, ArgKind[] Args)> _bprintFormats = new();

    private enum ArgKind : byte { Int32, Long, Int64, String }

    private void BinaryPrintk(StringBuilder sb, in PrintContext c)
    {
        var fmtField = _event.GetField("fmt") ?? throw new FormatException("bprint has no fmt field");
        var ipField = _event.GetField("ip") ?? throw new FormatException("bprint has no ip field");
        var buf = _event.GetField("buf") ?? throw new FormatException("bprint has no buf field");
        ulong addr = c.ReadNumber(fmtField.Offset, fmtField.Size);
        string? printk = c.Printk?.Lookup(addr);
        string format = printk is null ? $"%ps: (NO FORMAT FOUND at {addr:x})\n" : "%ps: " + printk;
        ArgKind[] kinds;
        lock (_bprintFormats)
        {
            if (!_bprintFormats.TryGetValue(addr, out var cached)) _bprintFormats[addr] = cached = (format, BinaryArguments(format, c.LongSize));
            kinds = cached.Args;
        }
        var args = new List<PrintNode> { new NumberNode(c.ReadNumber(ipField.Offset, ipField.Size), "") };
        int pos = buf.Offset;
        foreach (var k in kinds)
        {
            if (pos >= c.Record.Length) break;
            if (k == ArgKind.String)
            {
                string s = c.CString(pos, -1);
                args.Add(new StringNode(s));
                pos += Encoding.UTF8.GetByteCount(s) + 1;
                continue;
            }
            pos = (pos + 3) & ~3; // the kernel packs numbers 4-byte aligned
            int size = k == ArgKind.Int32 ? 4 : k == ArgKind.Long ? c.LongSize : 8;
            args.Add(new NumberNode(c.ReadNumber(pos, size), ""));
            pos += size;
        }
        foreach (var s in Segments(format, args, strict: false)) s.Append(sb, c);
    }

    /// <summary>What vbin_printf packed for each conversion of a trace_printk format (libtraceevent's reading of it).</summary>
    private static ArgKind[] BinaryArguments(string format, int longSize)
    {
        var kinds = new List<ArgKind>();
        for (int i = 5; i < format.Length; i++) // after "%ps: "
        {
            if (format[i] != '%') continue;
            int ls = 0;
            while (++i < format.Length)
            {
                char ch = format[i];
                if (ch == '%') break;
                if (ch == 'l') { ls++; continue; }
                if (ch == 'L') { ls = 2; continue; }
                if (ch is 'z' or 'Z') { ls = 1; continue; }
                if (char.IsAsciiDigit(ch) || ch is '.' or '#' or '-' or '+' or ' ') continue;
                if (ch == '*') { kinds.Add(ArgKind.Int32); continue; }
                if (ch == 's') { kinds.Add(ArgKind.String); break; }
                if (ch == 'p')
                {
                    if (i + 1 < format.Length && char.IsAsciiLetterOrDigit(format[i + 1]) && format[i + 1] is not ('s' or 'S' or 'x' or 'f' or 'F'))
                    {
                        i++;
                        kinds.Add(ArgKind.String); // a dereferenced pointer: the kernel copied the string
                        break;
                    }
                    kinds.Add(longSize == 8 ? ArgKind.Int64 : ArgKind.Int32);
                    break;
                }
                if (ch is 'd' or 'u' or 'i' or 'x' or 'X' or 'o' or 'c')
                {
                    kinds.Add(ls == 0 ? ArgKind.Int32 : ls == 1 ? ArgKind.Long : ArgKind.Int64);
                    break;
                }
                break;
            }
        }
        return kinds.ToArray();
    }

    // ---- the format string: literal text and conversions ----------------------------------------------------

    private static PrintSegment[] Segments(string format, List<PrintNode> args, bool strict)
    {
        var list = new List<PrintSegment>();
        var text = new StringBuilder();
        int next = 0;
        PrintNode? NextArg()
        {
            if (next < args.Count) return args[next++];
            if (strict) throw new FormatException($"the format has more conversions than the {args.Count} arguments it gives");
            return null;
        }
        for (int i = 0; i < format.Length; i++)
        {
            char ch = format[i];
            if (ch == '\\' && i + 1 < format.Length)
            {
                text.Append(CPrintf.Unescape(format[++i]));
                continue;
            }
            if (ch != '%') { text.Append(ch); continue; }
            if (i + 1 < format.Length && format[i + 1] == '%') { text.Append('%'); i++; continue; }
            if (text.Length > 0) { list.Add(new LiteralSegment(text.ToString())); text.Clear(); }

            bool left = false, zero = false, plus = false, space = false, alt = false, inPrecision = false;
            int width = -1, precision = -1, length = 0;
            PrintNode? star = null;
            bool starIsPrecision = false;
            int j = i + 1;
            for (; j < format.Length; j++)
            {
                char f = format[j];
                if (f == '-' && !inPrecision) left = true;
                else if (f == '+') plus = true;
                else if (f == ' ') space = true;
                else if (f == '#') alt = true;
                else if (f == '0' && width < 0 && !inPrecision) zero = true;
                else if (char.IsAsciiDigit(f))
                {
                    if (inPrecision) precision = Math.Max(precision, 0) * 10 + (f - '0');
                    else width = Math.Max(width, 0) * 10 + (f - '0');
                }
                else if (f == '.') { inPrecision = true; precision = 0; }
                else if (f == '*') { star = NextArg(); starIsPrecision = inPrecision; }
                else if (f == 'h') length--;
                else if (f == 'l') length++;
                else if (f == 'L') length = 2;
                else if (f is 'z' or 'Z' or 'j' or 't') length = 1;
                else break;
            }
            if (j >= format.Length) { text.Append(format, i, format.Length - i); break; }
            char conv = format[j];
            var spec = new PrintSpec
            {
                Left = left, Zero = zero, Plus = plus, Space = space, Alternate = alt, Width = width, Precision = precision,
                Length = length, Conversion = conv,
            };
            switch (conv)
            {
                case 'd' or 'i' or 'u' or 'x' or 'X' or 'o' or 'c':
                    if (NextArg() is { } n) list.Add(new NumberSegment(spec, n, star, starIsPrecision));
                    i = j;
                    break;
                case 's':
                    if (NextArg() is { } s) list.Add(new StringSegment(spec, s, star, starIsPrecision));
                    i = j;
                    break;
                case 'p':
                {
                    int ext = PointerExtension(format, j + 1);
                    string kind = format.Substring(j + 1, ext);
                    if (NextArg() is { } p) list.Add(new PointerSegment(kind, p, star));
                    i = j + ext;
                    break;
                }
                default:
                    // a conversion libtraceevent does not know prints as ">c<"
                    list.Add(new LiteralSegment($">{conv}<"));
                    i = j;
                    break;
            }
        }
        if (text.Length > 0) list.Add(new LiteralSegment(text.ToString()));
        return list.ToArray();
    }

    /// <summary>How many characters after %p name its kind (S, s, M, MR, I4, I6c, ISpc, U, ph...), as libtraceevent reads them.</summary>
    private static int PointerExtension(string f, int at)
    {
        char C(int k) => at + k < f.Length ? f[at + k] : '\0';
        switch (C(0))
        {
            case 'F' or 'S' or 'f' or 's': return 1;
            case 'M' or 'm': return C(1) is 'R' or 'F' ? 2 : 1;
            case 'U': return C(1) is 'L' or 'l' or 'B' or 'b' ? 2 : 1;
            case 'h': return C(1) is 'C' or 'D' or 'N' ? 2 : 1;
            case 'I' or 'i':
            {
                int n = 2;
                switch (C(1))
                {
                    case '4':
                        if (C(2) is 'h' or 'n' or 'l' or 'b') n++;
                        return n;
                    case '6':
                        if (C(2) == 'c') n++;
                        return n;
                    case 'S':
                        while (C(n) is 'p' or 'f' or 's' or 'c') n++;
                        if (C(n) is 'h' or 'n' or 'l' or 'b') n++;
                        return n;
                    default:
                        return 1;
                }
            }
            default: return 0;
        }
    }

    // ---- fields printed raw (events whose print fmt cannot be read) ----------------------------------------

    private static void RawField(StringBuilder sb, in PrintContext c, FieldFormat f)
    {
        bool isLong = f.CType.Contains("long", StringComparison.Ordinal);
        if (f.Kind != FieldKind.Scalar)
        {
            int offset = f.Offset, len = f.Size;
            if (f.IsDynamic) (offset, len) = c.Dynamic(f);
            bool stringType = f.CType.Contains("char", StringComparison.Ordinal) || f.CType.Contains("u8", StringComparison.Ordinal) || f.CType.Contains("s8", StringComparison.Ordinal);
            if (stringType && Printable(c.Record, offset, len))
            {
                sb.Append(c.CString(offset, -1));
                return;
            }
            sb.Append("ARRAY[");
            for (int i = 0; i < len && offset + i < c.Record.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(c.Record[offset + i].ToString("x2", CultureInfo.InvariantCulture));
            }
            sb.Append(']');
            return;
        }
        ulong v = c.ReadNumber(f.Offset, f.Size);
        if (f.CType.Contains('*')) sb.Append("0x").Append(v.ToString("x", CultureInfo.InvariantCulture));
        else if (f.IsSigned)
        {
            switch (f.Size)
            {
                case 4 when isLong: sb.Append("0x").Append(((uint)v).ToString("x", CultureInfo.InvariantCulture)); break;
                case 4: sb.Append((int)(uint)v); break;
                case 2: CPrintf.AppendInteger(sb, v, PrintSpec.None with { Width = 2, Length = -1, Conversion = 'd' }); break;
                case 1: sb.Append((sbyte)(byte)v); break;
                default: sb.Append((long)v); break;
            }
        }
        else if (isLong) sb.Append("0x").Append(v.ToString("x", CultureInfo.InvariantCulture));
        else sb.Append(v);
    }

    private static bool Printable(ReadOnlySpan<byte> r, int offset, int len)
    {
        for (int i = 0; i < len && offset + i < r.Length && r[offset + i] != 0; i++)
        {
            byte b = r[offset + i];
            if (!(b is >= 0x20 and < 0x7f) && !(b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0b or 0x0c)) return false;
        }
        return true;
    }

    public override string ToString() => _event.PrintFormat;
}

internal abstract class PrintSegment
{
    public abstract void Append(StringBuilder sb, in PrintContext c);
}

internal sealed class LiteralSegment(string text) : PrintSegment
{
    public override void Append(StringBuilder sb, in PrintContext c) => sb.Append(text);
}

internal sealed class NumberSegment(PrintSpec spec, PrintNode argument, PrintNode? star, bool starIsPrecision) : PrintSegment
{
    public override void Append(StringBuilder sb, in PrintContext c)
    {
        var s = spec;
        if (star is not null)
        {
            int n = (int)star.Eval(c);
            s = starIsPrecision ? s with { Precision = n } : n < 0 ? s with { Width = -n, Left = true } : s with { Width = n };
        }
        CPrintf.AppendInteger(sb, argument.Eval(c), s);
    }
}

internal sealed class StringSegment(PrintSpec spec, PrintNode argument, PrintNode? star, bool starIsPrecision) : PrintSegment
{
    public override void Append(StringBuilder sb, in PrintContext c)
    {
        var s = spec;
        if (star is not null)
        {
            int n = (int)star.Eval(c);
            s = starIsPrecision ? s with { Precision = n } : n < 0 ? s with { Width = -n, Left = true } : s with { Width = n };
        }
        argument.AppendString(sb, c, s);
    }
}

/// <summary>%p and its kinds: symbols (%ps %pS %pf %pF), MAC (%pM), IP (%pI4 %pI6c %pIS...), UUID (%pU), hex (%ph), plain.</summary>
internal sealed class PointerSegment(string kind, PrintNode argument, PrintNode? length) : PrintSegment
{
    public PrintNode Argument => argument;
    public bool IsSymbol => kind.Length > 0 && kind[0] is 'S' or 's' or 'F' or 'f';
    public bool SymbolWithOffset => kind.Length > 0 && kind[0] is 'S' or 'F';

    public override void Append(StringBuilder sb, in PrintContext c)
    {
        if (argument is StringNode bstring && kind.Length == 0) { sb.Append(bstring.Text); return; }
        if (IsSymbol)
        {
            ulong addr = argument.Eval(c);
            if (c.Symbols?.Find(addr) is { } sym)
            {
                sb.Append(sym.Name);
                if (SymbolWithOffset) sb.Append("+0x").Append((addr - sym.Address).ToString("x", CultureInfo.InvariantCulture));
            }
            else sb.Append("0x").Append(addr.ToString("x", CultureInfo.InvariantCulture));
            return;
        }
        switch (kind.Length > 0 ? kind[0] : '\0')
        {
            case 'M' or 'm': Mac(sb, c); return;
            case 'I' or 'i': Ip(sb, c); return;
            case 'U': Uuid(sb, c); return;
            case 'h': RawBuffer(sb, c); return;
            default: CPrintf.AppendPointer(sb, argument.Eval(c)); return;
        }
    }

    private FieldFormat? FieldArgument(StringBuilder sb)
    {
        var f = argument.DirectField;
        if (f is null) sb.Append("ARG TYPE NOT FIELD");
        return f;
    }

    private void Mac(StringBuilder sb, in PrintContext c)
    {
        if (FieldArgument(sb) is not { } f) return;
        if (f.Size != 6) { sb.Append("INVALIDMAC"); return; }
        string sep = kind[0] == 'm' ? "" : kind.Length > 1 && kind[1] == 'F' ? "-" : ":";
        bool reverse = kind.Length > 1 && kind[1] == 'R';
        for (int i = 0; i < 6; i++)
        {
            if (i > 0) sb.Append(sep);
            sb.Append(c.Record[f.Offset + (reverse ? 5 - i : i)].ToString("x2", CultureInfo.InvariantCulture));
        }
    }

    private void Ip(StringBuilder sb, in PrintContext c)
    {
        char style = kind[0];
        if (kind.Length < 2) { CPrintf.AppendPointer(sb, argument.Eval(c)); return; }
        switch (kind[1])
        {
            case '4':
            {
                if (FieldArgument(sb) is not { } f) return;
                if (f.Size != 4) { sb.Append("INVALIDIPv4"); return; }
                bool reverse = kind.Length > 2 && kind[2] is 'h' or 'l';
                Ip4(sb, style, reverse, c.Record.Slice(f.Offset, 4));
                return;
            }
            case '6':
            {
                if (FieldArgument(sb) is not { } f) return;
                if (f.Size != 16) { sb.Append("INVALIDIPv6"); return; }
                var b = c.Record.Slice(f.Offset, 16);
                if (style == 'I' && kind.Length > 2 && kind[2] == 'c') Ip6Compressed(sb, b);
                else Ip6(sb, style, b);
                return;
            }
            case 'S':
            {
                bool port = kind.Contains('p', StringComparison.Ordinal), compressed = kind.Contains('c', StringComparison.Ordinal);
                var (offset, len) = BufferArgument.Locate(argument, c);
                if (offset < 0) { sb.Append("ARG NOT FIELD NOR DYNAMIC ARRAY"); return; }
                var sa = c.Record.Slice(offset, Math.Min(len, c.Record.Length - offset));
                if (sa.Length < 2) return;
                int family = sa[0] | sa[1] << 8;
                if (family == 2)
                {
                    if (len < 16) { sb.Append("INVALIDIPv4"); return; }
                    Ip4(sb, style, false, sa.Slice(4, 4));
                    if (port) sb.Append(':').Append(sa[2] << 8 | sa[3]);
                }
                else if (family == 10)
                {
                    if (len < 28) { sb.Append("INVALIDIPv6"); return; }
                    if (port) sb.Append('[');
                    if (compressed) Ip6Compressed(sb, sa.Slice(8, 16));
                    else Ip6(sb, style, sa.Slice(8, 16));
                    if (port) sb.Append("]:").Append(sa[2] << 8 | sa[3]);
                }
                return;
            }
            default:
                CPrintf.AppendPointer(sb, argument.Eval(c));
                return;
        }
    }

    private static void Ip4(StringBuilder sb, char style, bool reverse, ReadOnlySpan<byte> b)
    {
        for (int i = 0; i < 4; i++)
        {
            if (i > 0) sb.Append('.');
            byte v = b[reverse ? 3 - i : i];
            sb.Append(style == 'i' ? v.ToString("D3", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Ip6(StringBuilder sb, char style, ReadOnlySpan<byte> b)
    {
        for (int j = 0; j < 16; j += 2)
        {
            sb.Append(b[j].ToString("x2", CultureInfo.InvariantCulture)).Append(b[j + 1].ToString("x2", CultureInfo.InvariantCulture));
            if (style == 'I' && j < 14) sb.Append(':');
        }
    }

    /// <summary>%pI6c: RFC 5952 style (longest run of zero words as ::, IPv4-mapped and ISATAP with a dotted tail).</summary>
    private static void Ip6Compressed(StringBuilder sb, ReadOnlySpan<byte> b)
    {
        Span<ushort> w = stackalloc ushort[8];
        for (int i = 0; i < 8; i++) w[i] = (ushort)(b[2 * i] << 8 | b[2 * i + 1]);
        bool v4mapped = w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0xffff;
        bool isatap = (w[4] | 0x0200) == 0x0200 && w[5] == 0x5efe;
        bool useIPv4 = v4mapped || isatap;
        int range = useIPv4 ? 6 : 8;
        int longest = 1, colonpos = -1;
        for (int i = 0; i < range; i++)
        {
            int z = 0;
            for (int j = i; j < range && w[j] == 0; j++) z++;
            if (z > longest) { longest = z; colonpos = i; }
        }
        bool needcolon = false;
        for (int i = 0; i < range; i++)
        {
            if (i == colonpos)
            {
                if (needcolon || i == 0) sb.Append(':');
                sb.Append(':');
                needcolon = false;
                i += longest - 1;
                continue;
            }
            if (needcolon) sb.Append(':');
            int hi = w[i] >> 8, lo = w[i] & 0xff;
            if (hi != 0) sb.Append(hi.ToString("x", CultureInfo.InvariantCulture)).Append(lo.ToString("x2", CultureInfo.InvariantCulture));
            else sb.Append(lo.ToString("x", CultureInfo.InvariantCulture));
            needcolon = true;
        }
        if (useIPv4)
        {
            if (needcolon) sb.Append(':');
            Ip4(sb, 'I', false, b.Slice(12, 4));
        }
    }

    private static readonly int[] GuidIndex = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];

    private void Uuid(StringBuilder sb, in PrintContext c)
    {
        if (FieldArgument(sb) is not { } f) return;
        if (f.Size != 16) { sb.Append("INVALIDUUID"); return; }
        char k = kind.Length > 1 ? kind[1] : '\0';
        bool upper = k is 'L' or 'B', guid = k is 'L' or 'l';
        for (int i = 0; i < 16; i++)
        {
            byte v = c.Record[f.Offset + (guid ? GuidIndex[i] : i)];
            sb.Append(v.ToString(upper ? "X2" : "x2", CultureInfo.InvariantCulture));
            if (i is 3 or 5 or 7 or 9) sb.Append('-');
        }
    }

    private void RawBuffer(StringBuilder sb, in PrintContext c)
    {
        string delim = kind.Length > 1 ? kind[1] switch { 'C' => ":", 'D' => "-", 'N' => "", _ => " " } : " ";
        var (offset, len) = BufferArgument.Locate(argument, c);
        if (offset < 0 || argument is not DynamicArrayNode) { sb.Append("ARG TYPE NOT FIELD"); return; }
        int n = length is null ? 1 : (int)length.Eval(c);
        if (len < n) n = len;
        for (int i = 0; i < n; i++)
        {
            if (i > 0) sb.Append(delim);
            sb.Append(c.Record[offset + i].ToString("x2", CultureInfo.InvariantCulture));
        }
    }
}
