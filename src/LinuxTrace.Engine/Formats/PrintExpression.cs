using System.Globalization;
using System.Text;

namespace LinuxTrace.Engine.Formats;

/// <summary>A token of a print fmt's argument list, as libtraceevent's tokenizer splits it.</summary>
internal enum TokenKind { Item, String, Char, Op, Delim, End }

internal readonly record struct Token(TokenKind Kind, string Text)
{
    public bool Is(string text) => Kind is TokenKind.Op or TokenKind.Delim && Text == text;
    public override string ToString() => Kind == TokenKind.End ? "end of the format" : $"'{Text}'";
}

internal static class PrintLexer
{
    private static readonly string[] TwoCharOps = ["->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||"];

    /// <summary>Splits <paramref name="text"/> into tokens: items (names and numbers), strings (adjacent ones joined,
    /// escapes kept as written), character literals, operators and the delimiters ( ) ,.</summary>
    public static List<Token> Tokenize(string text)
    {
        var list = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                int s = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
                list.Add(new Token(TokenKind.Item, text[s..i]));
                continue;
            }
            if (c is '"' or '\'')
            {
                var sb = new StringBuilder();
                char quote = c;
                while (true)
                {
                    i++;
                    while (i < text.Length && text[i] != quote)
                    {
                        if (text[i] == '\\' && i + 1 < text.Length) { sb.Append(text[i]).Append(text[i + 1]); i += 2; continue; }
                        sb.Append(text[i++]);
                    }
                    if (i >= text.Length) throw new FormatException("a string in the print format has no closing quote");
                    i++; // closing quote
                    if (quote != '"') break;
                    int j = i;
                    while (j < text.Length && char.IsWhiteSpace(text[j])) j++;
                    if (j < text.Length && text[j] == '"') { i = j; continue; } // "a" "b" is "ab"
                    break;
                }
                list.Add(new Token(quote == '"' ? TokenKind.String : TokenKind.Char, sb.ToString()));
                continue;
            }
            if (c is '(' or ')' or ',') { list.Add(new Token(TokenKind.Delim, c.ToString())); i++; continue; }
            string? two = i + 1 < text.Length ? Array.Find(TwoCharOps, o => o[0] == c && o[1] == text[i + 1]) : null;
            if (two is not null) { list.Add(new Token(TokenKind.Op, two)); i += 2; continue; }
            list.Add(new Token(TokenKind.Op, c.ToString()));
            i++;
        }
        list.Add(new Token(TokenKind.End, ""));
        return list;
    }
}

/// <summary>
/// A C expression of a print fmt argument, parsed once. Evaluation follows libtraceevent (the library behind
/// trace-cmd report): every value is an unsigned 64-bit number, fields are read unsigned, casts to char/short/int
/// and the u8..u32 types mask, and the printf conversion gives the value its width and sign.
/// </summary>
internal abstract class PrintNode
{
    public abstract ulong Eval(in PrintContext c);

    /// <summary>Appends the node as a %s argument. By default a number prints nothing (as in libtraceevent).</summary>
    public virtual void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec) { }

    /// <summary>The value when the node is a constant (flag and symbol tables), else null.</summary>
    public virtual long? Constant => null;

    /// <summary>The field the node reads directly (through casts), if any.</summary>
    public virtual FieldFormat? DirectField => null;
}

internal sealed class NumberNode(ulong value, string text) : PrintNode
{
    public ulong Value { get; } = value;
    public override ulong Eval(in PrintContext c) => Value;
    public override long? Constant => (long)Value;
    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec) => CPrintf.AppendString(sb, text, spec);

    /// <summary>strtoull(text, NULL, 0): hex with 0x, octal with a leading 0, decimal; stops at the first other character.</summary>
    public static ulong ParseC(string text)
    {
        var s = text.AsSpan();
        int radix = 10;
        if (s.Length > 1 && s[0] == '0' && (s[1] is 'x' or 'X')) { radix = 16; s = s[2..]; }
        else if (s.Length > 1 && s[0] == '0') { radix = 8; s = s[1..]; }
        ulong v = 0;
        foreach (char ch in s)
        {
            int d = ch is >= '0' and <= '9' ? ch - '0' : ch is >= 'a' and <= 'f' ? ch - 'a' + 10 : ch is >= 'A' and <= 'F' ? ch - 'A' + 10 : 99;
            if (d >= radix) break;
            v = unchecked(v * (ulong)radix + (ulong)d);
        }
        return v;
    }
}

/// <summary>A string literal: printed as written with %s; as a number, 0.</summary>
internal sealed class StringNode(string text) : PrintNode
{
    public string Text { get; } = text;
    public override ulong Eval(in PrintContext c) => NumberNode.ParseC(Text);
    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec) => CPrintf.AppendString(sb, Text, spec);
}

/// <summary>A character literal ('R').</summary>
internal sealed class CharNode(string text) : PrintNode
{
    private readonly ulong _value = text.Length == 1 ? text[0] : text.Length == 2 && text[0] == '\\' ? CPrintf.Unescape(text[1]) : 0UL;
    public override ulong Eval(in PrintContext c) => _value;
    public override long? Constant => (long)_value;
    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec) => CPrintf.AppendString(sb, text, spec);
}

/// <summary>A bare name: a symbolic constant the format did not expand. Known softirq/hrtimer names have their
/// values (as libtraceevent knows them); other names are looked up as kernel symbols, else 0.</summary>
internal sealed class NameNode(string name) : PrintNode
{
    private static readonly Dictionary<string, long> Known = new(StringComparer.Ordinal)
    {
        ["HI_SOFTIRQ"] = 0, ["TIMER_SOFTIRQ"] = 1, ["NET_TX_SOFTIRQ"] = 2, ["NET_RX_SOFTIRQ"] = 3, ["BLOCK_SOFTIRQ"] = 4,
        ["IRQ_POLL_SOFTIRQ"] = 5, ["TASKLET_SOFTIRQ"] = 6, ["SCHED_SOFTIRQ"] = 7, ["HRTIMER_SOFTIRQ"] = 8, ["RCU_SOFTIRQ"] = 9,
        ["HRTIMER_NORESTART"] = 0, ["HRTIMER_RESTART"] = 1,
    };

    public string Name { get; } = name;
    public override ulong Eval(in PrintContext c) => c.Symbols?.AddressOf(Name) ?? 0;
    public override long? Constant => Known.TryGetValue(Name, out long v) ? v : null;
    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec) => CPrintf.AppendString(sb, Name, spec);
}

/// <summary>REC-&gt;field.</summary>
internal sealed class FieldNode(FieldFormat field) : PrintNode
{
    public FieldFormat Field { get; } = field;
    public override FieldFormat? DirectField => Field;

    public override ulong Eval(in PrintContext c) =>
        Field.Offset + Field.Size > c.Record.Length ? 0 : c.ReadNumber(Field.Offset, Field.Size);

    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec)
    {
        // a pointer-sized scalar printed with %s: a constant string of the kernel (trace_printk formats), else its address
        if (Field.Kind == FieldKind.Scalar && Field.Size == c.LongSize)
        {
            ulong addr = c.ReadNumber(Field.Offset, Field.Size);
            string? s = c.Printk?.Lookup(addr);
            if (s is not null) sb.Append(s);
            else sb.Append(addr.ToString("x", CultureInfo.InvariantCulture));
            return;
        }
        int len = Field.Size != 0 ? Field.Size : c.Record.Length - Field.Offset;
        CPrintf.AppendString(sb, c.CString(Field.Offset, len), spec);
    }
}

/// <summary>array[index]: an element of a fixed array field or of a dynamic array.</summary>
internal sealed class IndexNode(PrintNode array, PrintNode index) : PrintNode
{
    public override ulong Eval(in PrintContext c)
    {
        ulong i = index.Eval(c);
        PrintNode a = array;
        while (a is CastNode cast) a = cast.Item;
        int offset, size;
        switch (a)
        {
            case DynamicArrayNode d:
                (offset, _) = c.Dynamic(d.Field);
                size = d.Field.ElementSize > 0 ? d.Field.ElementSize : c.LongSize;
                offset += (int)i;
                break;
            case FieldNode f:
                size = f.Field.ElementSize > 0 ? f.Field.ElementSize : c.LongSize;
                offset = f.Field.Offset + (int)i * size;
                break;
            default:
                return 0;
        }
        ulong v = c.ReadNumber(offset, size);
        return array is CastNode ct ? ct.Apply(v) : v;
    }
}

/// <summary>(type)item, with libtraceevent's idea of what a cast does.</summary>
internal sealed class CastNode(string type, PrintNode item) : PrintNode
{
    public string Type { get; } = type;
    public PrintNode Item { get; } = item;
    public override FieldFormat? DirectField => Item.DirectField;
    public override long? Constant => Item.Constant;
    public override ulong Eval(in PrintContext c) => Apply(Item.Eval(c));
    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec) => Item.AppendString(sb, c, spec);

    public ulong Apply(ulong v)
    {
        string t = Type;
        if (t.EndsWith('*') || t.StartsWith("struct", StringComparison.Ordinal)) return v;
        switch (t)
        {
            case "u8" or "s8": return v & 0xff;
            case "u16" or "s16": return v & 0xffff;
            case "u32" or "s32": return v & 0xffffffff;
        }
        if (t.StartsWith("unsigned ", StringComparison.Ordinal)) t = t[9..];
        return t switch
        {
            "char" => v & 0xff,
            "short" => v & 0xffff,
            "int" => v & 0xffffffff,
            _ => v,
        };
    }
}

internal sealed class UnaryNode(char op, PrintNode operand) : PrintNode
{
    public override ulong Eval(in PrintContext c)
    {
        ulong v = operand.Eval(c);
        return op switch { '-' => unchecked(0 - v), '!' => v == 0 ? 1UL : 0, '~' => ~v, _ => v };
    }

    public override long? Constant => operand.Constant is { } v ? op switch { '-' => -v, '!' => v == 0 ? 1 : 0, '~' => ~v, _ => v } : null;
}

internal sealed class BinaryNode(string op, PrintNode left, PrintNode right) : PrintNode
{
    public override ulong Eval(in PrintContext c)
    {
        if (op == "&&") return left.Eval(c) != 0 && right.Eval(c) != 0 ? 1UL : 0;
        if (op == "||") return left.Eval(c) != 0 || right.Eval(c) != 0 ? 1UL : 0;
        return Apply(op, left.Eval(c), right.Eval(c));
    }

    public override long? Constant =>
        left.Constant is { } l && right.Constant is { } r ? (long)Apply(op, (ulong)l, (ulong)r) : null;

    private static ulong Apply(string op, ulong l, ulong r) => unchecked(op switch
    {
        "+" => l + r,
        "-" => l - r,
        "*" => l * r,
        "/" => r == 0 ? 0 : l / r,
        "%" => r == 0 ? 0 : l % r,
        "<<" => l << (int)(r & 63),
        ">>" => l >> (int)(r & 63),
        "&" => l & r,
        "|" => l | r,
        "^" => l ^ r,
        "&&" => l != 0 && r != 0 ? 1UL : 0,
        "||" => l != 0 || r != 0 ? 1UL : 0,
        "<" => l < r ? 1UL : 0,
        ">" => l > r ? 1UL : 0,
        "<=" => l <= r ? 1UL : 0,
        ">=" => l >= r ? 1UL : 0,
        "==" => l == r ? 1UL : 0,
        "!=" => l != r ? 1UL : 0,
        _ => 0,
    });
}

internal sealed class ConditionalNode(PrintNode condition, PrintNode whenTrue, PrintNode whenFalse) : PrintNode
{
    public override ulong Eval(in PrintContext c) => condition.Eval(c) != 0 ? whenTrue.Eval(c) : whenFalse.Eval(c);

    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec)
    {
        if (condition.Eval(c) != 0) whenTrue.AppendString(sb, c, spec);
        else whenFalse.AppendString(sb, c, spec);
    }

    public override long? Constant =>
        condition.Constant is { } v ? (v != 0 ? whenTrue.Constant : whenFalse.Constant) : null;
}

/// <summary>__print_flags(value, delim, { flag, "name" }, ...) and __print_symbolic(value, { v, "name" }, ...).</summary>
internal sealed class FlagsNode(PrintNode value, string? delimiter, (long Value, string Name)[] table, bool symbolic) : PrintNode
{
    public override ulong Eval(in PrintContext c) => 0;

    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec)
    {
        ulong val = value.Eval(c);
        if (symbolic)
        {
            foreach (var (v, name) in table)
            {
                if ((long)val == v) { CPrintf.AppendString(sb, name, spec); return; }
            }
            sb.Append("0x").Append(val.ToString("x", CultureInfo.InvariantCulture));
            return;
        }
        bool printed = false;
        foreach (var (v, name) in table)
        {
            if (val == 0 && v < 0) { CPrintf.AppendString(sb, name, spec); break; }
            if (v > 0 && (val & (ulong)v) == (ulong)v)
            {
                if (printed && delimiter is not null) sb.Append(delimiter);
                CPrintf.AppendString(sb, name, spec);
                printed = true;
                val &= ~(ulong)v;
            }
        }
        if (val != 0)
        {
            if (printed && delimiter is not null) sb.Append(delimiter);
            sb.Append("0x").Append(val.ToString("x", CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>The data of a buffer argument (__print_hex, __print_array, %pIS...): a fixed field or a dynamic array.</summary>
internal static class BufferArgument
{
    public static (int Offset, int Length) Locate(PrintNode node, in PrintContext c)
    {
        while (node is CastNode cast) node = cast.Item;
        return node switch
        {
            DynamicArrayNode d => c.Dynamic(d.Field),
            FieldNode f => (f.Field.Offset, f.Field.Size != 0 ? f.Field.Size : Math.Max(0, c.Record.Length - f.Field.Offset)),
            _ => (-1, 0),
        };
    }
}

/// <summary>__print_hex(buf, len) ("01 02 ff") and __print_hex_str(buf, len) ("0102ff").</summary>
internal sealed class HexNode(PrintNode buffer, PrintNode length, bool spaced) : PrintNode
{
    public override ulong Eval(in PrintContext c) => 0;

    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec)
    {
        var (offset, _) = BufferArgument.Locate(buffer, c);
        if (offset < 0) return;
        long len = (long)length.Eval(c);
        for (long i = 0; i < len && offset + i < c.Record.Length; i++)
        {
            if (i > 0 && spaced) sb.Append(' ');
            sb.Append(c.Record[(int)(offset + i)].ToString("x2", CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>__print_array(array, count, element size): the elements as unsigned numbers, space-separated (libtraceevent).</summary>
internal sealed class IntArrayNode(PrintNode array, PrintNode count, PrintNode elementSize) : PrintNode
{
    public override ulong Eval(in PrintContext c) => 0;

    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec)
    {
        var (offset, _) = BufferArgument.Locate(array, c);
        if (offset < 0) return;
        long n = (long)count.Eval(c);
        int size = (int)elementSize.Eval(c);
        for (long i = 0; i < n; i++)
        {
            if (i > 0) sb.Append(' ');
            if (size is not (1 or 2 or 4 or 8))
            {
                sb.Append("BAD SIZE:").Append(size).Append(" 0x").Append(c.ReadNumber(offset, 1).ToString("x", CultureInfo.InvariantCulture));
                size = 1;
            }
            else sb.Append(c.ReadNumber(offset, size).ToString(CultureInfo.InvariantCulture));
            offset += size;
        }
    }
}

/// <summary>__get_str(field): a dynamic string; an empty one prints nothing at all.</summary>
internal sealed class StringFieldNode(FieldFormat field) : PrintNode
{
    public override ulong Eval(in PrintContext c) => 0;

    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec)
    {
        var (offset, len) = c.Dynamic(field);
        if (len == 0) return;
        CPrintf.AppendString(sb, c.CString(offset, -1), spec);
    }
}

/// <summary>__get_bitmask(field) (hex, a comma every 32 bits) and __get_cpumask(field) (a CPU list such as 0-3,6).</summary>
internal sealed class BitmaskNode(FieldFormat field, bool cpuList) : PrintNode
{
    public override ulong Eval(in PrintContext c) => 0;

    public override void AppendString(StringBuilder sb, in PrintContext c, in PrintSpec spec)
    {
        var (offset, len) = c.Dynamic(field);
        var data = c.Record.Slice(offset, len);
        CPrintf.AppendString(sb, cpuList ? CpuList(data) : Hex(data), spec);
    }

    private static string Hex(ReadOnlySpan<byte> data)
    {
        int bits = data.Length * 8;
        if (bits == 0) return "";
        int size = (bits + 3) / 4 + (bits - 1) / 32;
        var chars = new char[size];
        int n = 0;
        for (int i = size - 2; i >= 0; i -= 2)
        {
            string h = data[n].ToString("x2", CultureInfo.InvariantCulture);
            chars[i] = h[0];
            chars[i + 1] = h[1];
            n++;
            if ((n & 3) == 0 && i > 0) chars[--i] = ',';
        }
        return new string(chars);
    }

    private static string CpuList(ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder();
        int bits = data.Length * 8, i = 0;
        while (i < bits)
        {
            if ((data[i / 8] & (1 << (i % 8))) == 0) { i++; continue; }
            int start = i;
            while (i < bits && (data[i / 8] & (1 << (i % 8))) != 0) i++;
            if (sb.Length > 0) sb.Append(',');
            sb.Append(start);
            if (i - 1 > start) sb.Append('-').Append(i - 1);
        }
        return sb.ToString();
    }
}

/// <summary>__get_dynamic_array(field): the position of its data (as a number), the data itself for buffer arguments.</summary>
internal sealed class DynamicArrayNode(FieldFormat field) : PrintNode
{
    public FieldFormat Field { get; } = field;
    public override ulong Eval(in PrintContext c) => (ulong)c.Dynamic(Field).Offset;
}

/// <summary>__get_dynamic_array_len(field).</summary>
internal sealed class DynamicArrayLengthNode(FieldFormat field) : PrintNode
{
    public override ulong Eval(in PrintContext c) => (ulong)c.Dynamic(field).Length;
}

/// <summary>Parses a print fmt's argument list into nodes (C precedence; casts as libtraceevent recognises them).</summary>
internal sealed class PrintParser
{
    private readonly List<Token> _tokens;
    private readonly EventFormat _format;
    private readonly int _longSize;
    private int _pos;

    private PrintParser(List<Token> tokens, EventFormat format, int longSize)
    {
        _tokens = tokens;
        _format = format;
        _longSize = longSize;
    }

    /// <summary>The arguments after the format string; throws <see cref="FormatException"/> naming what it cannot read.</summary>
    public static List<PrintNode> ParseArguments(List<Token> tokens, int start, EventFormat format, int longSize)
    {
        var p = new PrintParser(tokens, format, longSize) { _pos = start };
        var args = new List<PrintNode>();
        if (p.Peek.Kind == TokenKind.End) return args;
        while (true)
        {
            args.Add(p.Expression());
            if (p.Peek.Kind == TokenKind.End) return args;
            p.Expect(",");
        }
    }

    private Token Peek => _tokens[_pos];
    private Token PeekAt(int k) => _tokens[Math.Min(_pos + k, _tokens.Count - 1)];
    private Token Next() => _tokens[_pos < _tokens.Count - 1 ? _pos++ : _pos];

    private void Expect(string text)
    {
        var t = Next();
        if (!t.Is(text)) throw new FormatException($"expected '{text}' but found {t}");
    }

    private PrintNode Expression() => Conditional();

    private PrintNode Conditional()
    {
        var c = Binary(0);
        if (!Peek.Is("?")) return c;
        Next();
        var t = Expression();
        Expect(":");
        var f = Conditional();
        return new ConditionalNode(c, t, f);
    }

    private static readonly string[][] Levels =
    [
        ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", ">", "<=", ">="], ["<<", ">>"], ["+", "-"], ["*", "/", "%"],
    ];

    private PrintNode Binary(int level)
    {
        if (level == Levels.Length) return Unary();
        var left = Binary(level + 1);
        while (Peek.Kind == TokenKind.Op && Array.IndexOf(Levels[level], Peek.Text) >= 0)
        {
            string op = Next().Text;
            left = new BinaryNode(op, left, Binary(level + 1));
        }
        return left;
    }

    private PrintNode Unary()
    {
        var t = Peek;
        if (t.Kind == TokenKind.Op && t.Text is "-" or "+" or "!" or "~")
        {
            Next();
            return new UnaryNode(t.Text[0], Unary());
        }
        if (t.Is("(") && TryCast(out var type))
        {
            return new CastNode(type, Unary());
        }
        return Postfix();
    }

    /// <summary>"(" names [*...] ")" followed by a name, a number or "(": a cast (libtraceevent's rule).</summary>
    private bool TryCast(out string type)
    {
        type = "";
        int k = 1;
        var words = new List<string>();
        while (PeekAt(k).Kind == TokenKind.Item) words.Add(PeekAt(k++).Text);
        if (words.Count == 0 || words[0] == "REC") return false;
        int stars = 0;
        while (PeekAt(k).Is("*")) { stars++; k++; }
        if (!PeekAt(k).Is(")")) return false;
        var after = PeekAt(k + 1);
        bool operand = after.Kind == TokenKind.Item || after.Is("(");
        // (unsigned long)-4095: a type name before a unary operator is a cast too
        bool unaryAfter = after.Kind == TokenKind.Op && after.Text is "-" or "~" or "!" or "+";
        if (!operand && !(unaryAfter && (stars > 0 || words.All(IsTypeWord)))) return false;
        type = string.Join(' ', words) + (stars > 0 ? " " + new string('*', stars) : "");
        _pos += k + 1;
        return true;
    }

    private static readonly HashSet<string> TypeWords = new(StringComparer.Ordinal)
    {
        "unsigned", "signed", "long", "int", "short", "char", "void", "bool", "_Bool", "const", "volatile", "struct",
        "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "__u8", "__u16", "__u32", "__u64", "__s8", "__s16", "__s32", "__s64",
    };

    private static bool IsTypeWord(string w) => TypeWords.Contains(w) || w.EndsWith("_t", StringComparison.Ordinal);

    private PrintNode Postfix()
    {
        var node = Primary();
        while (Peek.Is("["))
        {
            Next();
            var index = Expression();
            Expect("]");
            node = new IndexNode(node, index);
        }
        return node;
    }

    private PrintNode Primary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.String: return new StringNode(t.Text);
            case TokenKind.Char: return new CharNode(t.Text);
            case TokenKind.Delim when t.Text == "(" && Peek.Is("{"):
                return StatementExpression();
            case TokenKind.Delim when t.Text == "(":
            {
                // (REC)->field is REC->field
                if (Peek.Kind == TokenKind.Item && Peek.Text == "REC" && PeekAt(1).Is(")")) { Next(); Next(); return Record(); }
                var e = Expression();
                Expect(")");
                return e;
            }
            case TokenKind.Item:
                if (t.Text == "REC") return Record();
                if (char.IsAsciiDigit(t.Text[0])) return new NumberNode(NumberNode.ParseC(t.Text), t.Text);
                if (Peek.Is("(")) return Call(t.Text);
                if (_locals.TryGetValue(t.Text, out var local)) return local;
                return new NameNode(t.Text);
            default:
                throw new FormatException($"unexpected {t}");
        }
    }

    private readonly Dictionary<string, PrintNode> _locals = new(StringComparer.Ordinal);

    /// <summary>
    /// A GNU statement expression as the kernel's min()/max() macros leave them in formats:
    /// ({ type a = expr; type b = expr; expr-using-a-and-b; }). The locals stand for their expressions.
    /// </summary>
    private PrintNode StatementExpression()
    {
        Expect("{");
        while (true)
        {
            // a declaration: type words, a name, '=', an expression, ';'
            int k = 0;
            while (PeekAt(k).Kind == TokenKind.Item || PeekAt(k).Is("*")) k++;
            if (k >= 2 && PeekAt(k).Is("=") && PeekAt(k - 1).Kind == TokenKind.Item)
            {
                string name = PeekAt(k - 1).Text;
                _pos += k + 1;
                var value = Expression();
                Expect(";");
                _locals[name] = value;
                continue;
            }
            var result = Expression();
            Expect(";");
            Expect("}");
            Expect(")");
            return result;
        }
    }

    private PrintNode Record()
    {
        Expect("->");
        var name = Next();
        if (name.Kind != TokenKind.Item) throw new FormatException($"expected a field name after REC-> but found {name}");
        return new FieldNode(Field(name.Text));
    }

    private FieldFormat Field(string name) =>
        _format.GetField(name) ?? throw new FormatException($"the print format names a field '{name}' the event does not have");

    private FieldFormat FieldArgument()
    {
        var t = Next();
        if (t.Kind != TokenKind.Item) throw new FormatException($"expected a field name but found {t}");
        var f = Field(t.Text);
        Expect(")");
        return f;
    }

    private PrintNode Call(string name)
    {
        Expect("(");
        switch (name)
        {
            case "__print_flags" or "__print_flags_u64":
            {
                var value = Expression();
                Expect(",");
                string? delim = null;
                if (Peek.Kind is TokenKind.String or TokenKind.Item) delim = Next().Text;
                Expect(",");
                return new FlagsNode(value, delim, Table(), symbolic: false);
            }
            case "__print_symbolic" or "__print_symbolic_u64":
            {
                var value = Expression();
                Expect(",");
                return new FlagsNode(value, null, Table(), symbolic: true);
            }
            case "__print_hex" or "__print_hex_str":
            {
                var buf = Expression();
                Expect(",");
                var len = Expression();
                Expect(")");
                return new HexNode(buf, len, name == "__print_hex");
            }
            case "__print_array":
            {
                var arr = Expression();
                Expect(",");
                var count = Expression();
                Expect(",");
                var size = Expression();
                Expect(")");
                return new IntArrayNode(arr, count, size);
            }
            case "__get_str" or "__get_rel_str":
                return new StringFieldNode(FieldArgument());
            case "__get_bitmask" or "__get_rel_bitmask":
                return new BitmaskNode(FieldArgument(), cpuList: false);
            case "__get_cpumask" or "__get_rel_cpumask":
                return new BitmaskNode(FieldArgument(), cpuList: true);
            case "__get_dynamic_array" or "__get_rel_dynamic_array" or "__get_sockaddr" or "__get_sockaddr_rel":
                return new DynamicArrayNode(FieldArgument());
            case "__get_dynamic_array_len" or "__get_rel_dynamic_array_len":
                return new DynamicArrayLengthNode(FieldArgument());
            case "__builtin_expect":
            {
                var e = Expression();
                Expect(",");
                Expression();
                Expect(")");
                return e;
            }
            case "sizeof":
                return Sizeof();
            default:
                throw new FormatException($"the print format calls {name}(), a kernel function LinuxTrace cannot evaluate");
        }
    }

    private PrintNode Sizeof()
    {
        var words = new List<string>();
        if (Peek.Kind == TokenKind.Item && Peek.Text == "REC")
        {
            Next();
            Expect("->");
            var f = Field(Next().Text);
            Expect(")");
            if (f.Kind != FieldKind.Scalar) throw new FormatException($"sizeof of the array field {f.Name}");
            return new NumberNode((ulong)f.Size, f.Size.ToString(CultureInfo.InvariantCulture));
        }
        while (Peek.Kind == TokenKind.Item) words.Add(Next().Text);
        bool pointer = false;
        while (Peek.Is("*")) { Next(); pointer = true; }
        Expect(")");
        string type = string.Join(' ', words);
        int size = pointer ? _longSize : FormatParser.CTypeSize(type, _longSize);
        return new NumberNode((ulong)size, size.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>{ value, "name" }, ... ) of __print_flags / __print_symbolic; the values are constants.</summary>
    private (long, string)[] Table()
    {
        var list = new List<(long, string)>();
        while (true)
        {
            Expect("{");
            var v = Expression();
            Expect(",");
            // the name: a string, or (the kernel's { 0, NULL } sentinel) a constant, which libtraceevent keeps as its digits
            var n = Expression();
            string name = n is StringNode str ? str.Text
                : n.Constant is { } k ? k.ToString(CultureInfo.InvariantCulture)
                : throw new FormatException("a flag table names a flag with something that is not a string");
            Expect("}");
            list.Add((FlagValue(v), name));
            if (Peek.Is(")")) { Next(); return list.ToArray(); }
            Expect(",");
        }
    }

    // libtraceevent evaluates a table value to text once: a number is its value; a name it does not know, or a
    // negative number, counts as -1 (and then matches only the value 0 in __print_flags)
    private static long FlagValue(PrintNode v)
    {
        var c = v.Constant;
        if (c is null) return -1;
        if (v is NameNode) return c.Value;
        return c.Value < 0 ? -1 : c.Value;
    }
}
