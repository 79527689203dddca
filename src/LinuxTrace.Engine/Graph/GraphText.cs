using System.Globalization;
using System.Text;

namespace LinuxTrace.Engine.Graph;

/// <summary>
/// Prints calls the way the function_graph tracer and trace-cmd report print them: one line per entry and return,
/// indented two spaces per depth, "func();" for a leaf, "func() {" … "}" around callees, and the duration column
/// with the overhead markers (+ over 10 us, ! over 100 us, # over 1 ms, * over 10 ms, @ over 100 ms, $ over 1 s).
/// </summary>
public static class GraphText
{
    public const string Header = " CPU  DURATION                  FUNCTION CALLS";
    public const string HeaderWithProcess = " CPU  TASK/PID         DURATION                  FUNCTION CALLS";

    /// <summary>The trees the calls belong to, each printed once from its topmost call present in
    /// <paramref name="calls"/>, in the order the trees began.</summary>
    public static IEnumerable<string> Format(IEnumerable<FunctionCall> calls, bool showProcess)
    {
        var set = new HashSet<FunctionCall>(ReferenceEqualityComparer.Instance);
        foreach (var c in calls) set.Add(c);
        var roots = set.Where(c => c.GetParent() is not { } parent || !set.Contains(parent)).OrderBy(c => c.TimestampNs).ThenBy(c => c.Depth);
        var sb = new StringBuilder();
        foreach (var root in roots)
            foreach (var line in Lines(root, showProcess, sb)) yield return line;
    }

    private static IEnumerable<string> Lines(FunctionCall root, bool showProcess, StringBuilder sb)
    {
        // iterative pre-order with closing lines: (call, closing)
        var stack = new Stack<(FunctionCall Call, bool Close)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (c, close) = stack.Pop();
            if (close)
            {
                yield return Line(sb, c, showProcess, Duration(c), "}" + (c.Status == FunctionCallStatus.NoReturn ? " /* " + c.Function + ": no return seen */" : ""));
                continue;
            }
            if (c.IsLeaf)
            {
                yield return Line(sb, c, showProcess, Duration(c), c.Function + "();" + Note(c));
                continue;
            }
            yield return Line(sb, c, showProcess, "", c.Function + "() {" + Note(c));
            stack.Push((c, true));
            for (int i = c.Children.Count - 1; i >= 0; i--) stack.Push((c.Children[i], false));
        }
    }

    private static string Note(FunctionCall c) => c.Status switch
    {
        FunctionCallStatus.NoEntry => " /* entry not seen */",
        FunctionCallStatus.NoReturn when c.IsLeaf => " /* no return seen */",
        _ => c.ReturnValue is { } r ? $" /* ret={ReturnText(r)} */" : "",
    };

    /// <summary>As trace-cmd prints return values: decimal for error codes, hex otherwise.</summary>
    private static string ReturnText(long r) => r is < 0 and >= -4095 ? r.ToString(CultureInfo.InvariantCulture) : "0x" + r.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>"+ 12.345 us" with the overhead marker, as in the kernel's output.</summary>
    public static string Duration(FunctionCall c)
    {
        ulong ns = c.DurationNs;
        char mark = ns > 1_000_000_000 ? '$' : ns > 100_000_000 ? '@' : ns > 10_000_000 ? '*' : ns > 1_000_000 ? '#' : ns > 100_000 ? '!' : ns > 10_000 ? '+' : ' ';
        string us = (ns / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
        return $"{mark} {us,8} us";
    }

    private static string Line(StringBuilder sb, FunctionCall c, bool showProcess, string duration, string text)
    {
        sb.Clear();
        sb.Append(' ').Append(c.CpuNumber.ToString(CultureInfo.InvariantCulture).PadLeft(2)).Append(")  ");
        if (showProcess) sb.Append((c.Command + "-" + c.ProcessId.ToString(CultureInfo.InvariantCulture)).PadRight(16)).Append(" | ");
        sb.Append(duration.PadRight(13)).Append(" |  ");
        sb.Append(' ', Math.Max(0, c.Depth) * 2).Append(text);
        return sb.ToString();
    }
}
