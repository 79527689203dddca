namespace LinuxTrace.Engine.Formats;

/// <summary>Reads what a "print fmt:" line says about fields, e.g. which ones the kernel prints as symbols (%ps, %pS).</summary>
public static class PrintFormat
{
    /// <summary>Fields printed as kernel symbols: field name, and whether with an offset (%pS).</summary>
    public static IReadOnlyList<(string Field, bool WithOffset)> SymbolFields(string print)
    {
        var result = new List<(string, bool)>();
        if (!TrySplit(print, out string fmt, out var args)) return result;
        int argIndex = 0;
        for (int i = 0; i < fmt.Length; i++)
        {
            if (fmt[i] != '%') continue;
            if (i + 1 < fmt.Length && fmt[i + 1] == '%') { i++; continue; }
            int j = i + 1;
            while (j < fmt.Length && "-+ #0123456789.*lhzjt".Contains(fmt[j])) j++;
            if (j >= fmt.Length) break;
            char conv = fmt[j];
            if (conv == 'p' && j + 1 < fmt.Length && fmt[j + 1] is 's' or 'S' or 'F' or 'f' or 'B' && argIndex < args.Count)
            {
                string? field = FieldOf(args[argIndex]);
                if (field is not null) result.Add((field, fmt[j + 1] is 'S' or 'F' or 'B'));
            }
            argIndex++;
            i = j;
        }
        return result;
    }

    private static string? FieldOf(string arg)
    {
        arg = arg.Trim();
        while (arg.StartsWith('(')) // casts: (void *)REC->ip
        {
            int close = arg.IndexOf(')');
            if (close < 0) return null;
            arg = arg[(close + 1)..].Trim();
        }
        if (!arg.StartsWith("REC->", StringComparison.Ordinal)) return null;
        string name = arg[5..];
        return name.All(c => char.IsLetterOrDigit(c) || c == '_') ? name : null;
    }

    /// <summary>Splits '"fmt", arg, arg' into the format text and top-level arguments.</summary>
    public static bool TrySplit(string print, out string format, out List<string> args)
    {
        format = "";
        args = new List<string>();
        int q = print.IndexOf('"');
        if (q < 0) return false;
        int end = q + 1;
        while (end < print.Length && print[end] != '"') end += print[end] == '\\' ? 2 : 1;
        if (end >= print.Length) return false;
        format = print[(q + 1)..end];
        int depth = 0, start = -1;
        bool inString = false;
        for (int i = end + 1; i < print.Length; i++)
        {
            char c = print[i];
            if (inString) { if (c == '\\') i++; else if (c == '"') inString = false; continue; }
            if (c == '"') inString = true;
            else if (c is '(' or '{' or '[') depth++;
            else if (c is ')' or '}' or ']') depth--;
            else if (c == ',' && depth == 0)
            {
                if (start >= 0) args.Add(print[start..i]);
                start = i + 1;
                continue;
            }
            if (start < 0 && c == ',') start = i + 1;
        }
        if (start >= 0 && start < print.Length) args.Add(print[start..]);
        return true;
    }
}
