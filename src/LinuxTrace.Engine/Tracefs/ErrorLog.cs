using System.Text.RegularExpressions;

namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// Reads the kernel's error_log (the last errors of filter, trigger and probe parsing) and attaches the
/// entry that explains a rejected write to the exception: its text and the caret position.
/// </summary>
public static partial class ErrorLog
{
    /// <summary>One entry of error_log.</summary>
    public sealed record Entry(string Timestamp, string Location, string Message, string Command, int Position);

    [GeneratedRegex(@"^\[\s*(?<ts>[0-9.]+)\]\s*(?<loc>.+?):\s*error:\s*(?<msg>.*)$")]
    private static partial Regex HeaderLine();

    private const string CommandPrefix = "  Command: ";

    public static IReadOnlyList<Entry> Parse(string text)
    {
        var entries = new List<Entry>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = HeaderLine().Match(lines[i]);
            if (!m.Success) continue;
            string command = "";
            int pos = -1;
            if (i + 1 < lines.Length && lines[i + 1].StartsWith(CommandPrefix, StringComparison.Ordinal))
            {
                command = lines[i + 1][CommandPrefix.Length..];
                if (i + 2 < lines.Length)
                {
                    int caret = lines[i + 2].IndexOf('^');
                    if (caret >= 0) pos = Math.Max(0, caret - CommandPrefix.Length);
                }
            }
            entries.Add(new Entry(m.Groups["ts"].Value, m.Groups["loc"].Value.Trim(), m.Groups["msg"].Value.Trim(), command, pos));
        }
        return entries;
    }

    public static IReadOnlyList<Entry> Read(TraceInstance instance) =>
        instance.HasFile("error_log") && TracefsFile.TryRead(instance.FilePath("error_log"), out var text) ? Parse(text) : Array.Empty<Entry>();

    /// <summary>Finds the newest error_log entry for <paramref name="written"/> (in the instance, then the top) and
    /// returns an exception that quotes it with a caret under the position the kernel rejected.</summary>
    internal static TraceException Explain(TraceInstance instance, TraceException original, string written)
    {
        string cmd = written.TrimEnd('\n');
        Entry? found = FindLast(Read(instance), cmd);
        if (found is null && !instance.IsTop) found = FindLast(Read(instance.Tracefs.Top), cmd);
        if (found is null) return original;
        string caret = found.Position >= 0 ? "\n  " + found.Command + "\n  " + new string(' ', found.Position) + "^" : "";
        return new TraceException(TraceErrorKind.InvalidArgument,
            $"The kernel rejected '{cmd}' ({found.Location}): {found.Message}" +
            (found.Position >= 0 ? $" at position {found.Position}." : ".") + caret,
            original.Path, original.Errno, original)
        {
            KernelMessage = found.Message,
            KernelErrorPosition = found.Position,
            ErrorId = original.ErrorId,
        };
    }

    private static Entry? FindLast(IReadOnlyList<Entry> entries, string command)
    {
        for (int i = entries.Count - 1; i >= 0; i--)
            if (entries[i].Command.TrimEnd() == command.TrimEnd()) return entries[i];
        return null;
    }
}
