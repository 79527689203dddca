using System.Text.RegularExpressions;
using LinuxTrace.Engine.Symbols;

namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// Resolves what a user types (sched:sched_switch, sched_switch, sched:*, sched, syscalls:sys_enter_open*)
/// against the kernel's available_events, with close matches for names that do not exist.
/// </summary>
public static class EventSelector
{
    /// <summary>All events of the kernel, from available_events (one file read); with <paramref name="includeFtrace"/>,
    /// also the ftrace:* records that tracers write (function, funcgraph_entry, ...), which cannot be enabled as events.</summary>
    public static IReadOnlyList<EventName> Available(TraceInstance instance, bool includeFtrace = false)
    {
        string text = instance.HasFile("available_events") ? instance.ReadFile("available_events") : instance.Tracefs.Top.ReadFile("available_events");
        var list = new List<EventName>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int c = line.IndexOf(':');
            if (c > 0) list.Add(new EventName(line[..c], line[(c + 1)..]));
        }
        string ftrace = Path.Combine(instance.Tracefs.Root, "events", "ftrace");
        if (includeFtrace && Directory.Exists(ftrace))
            list.AddRange(Directory.GetDirectories(ftrace).Select(d => new EventName("ftrace", Path.GetFileName(d))).OrderBy(e => e.Name, StringComparer.Ordinal));
        return list;
    }

    /// <summary>
    /// Events matching <paramref name="pattern"/>, the one rule every cmdlet uses: "system:event" with wildcards in either
    /// part; a bare name matches event names, and when no event has it, a whole system ("sched" is every sched event).
    /// Case does not matter, as nowhere else in PowerShell. Empty when nothing matches.
    /// </summary>
    public static IEnumerable<EventName> Match(IReadOnlyList<EventName> available, string pattern)
    {
        pattern = pattern.Trim();
        int c = pattern.IndexOf(':');
        if (c < 0) c = pattern.IndexOf('/');
        if (c >= 0)
        {
            var sys = Glob(pattern[..c]);
            var name = Glob(c + 1 < pattern.Length ? pattern[(c + 1)..] : "*");
            return available.Where(e => sys.IsMatch(e.System) && name.IsMatch(e.Name));
        }
        var glob = Glob(pattern);
        var byName = available.Where(e => glob.IsMatch(e.Name)).ToArray();
        if (byName.Length > 0) return byName;
        return available.Where(e => glob.IsMatch(e.System)); // "sched" = every sched event
    }

    /// <summary>Resolves every pattern; a pattern that matches nothing throws with close matches.</summary>
    public static IReadOnlyList<EventName> Resolve(TraceInstance instance, IEnumerable<string> patterns, bool includeFtrace = false)
    {
        var available = Available(instance, includeFtrace);
        var result = new List<EventName>();
        var seen = new HashSet<EventName>();
        foreach (var p in patterns)
        {
            var matched = Match(available, p).ToArray();
            if (matched.Length == 0) throw NotFound(available, p);
            foreach (var e in matched) if (seen.Add(e)) result.Add(e);
        }
        return result;
    }

    /// <summary>The error for a pattern that matches no event, with close matches.</summary>
    /// <param name="where">What holds the events: "on this kernel" (the default), or "in FILE" for a trace.dat file,
    /// whose own events are then listed when there are few.</param>
    public static TraceException NotFound(IReadOnlyList<EventName> available, string pattern, string? where = null)
    {
        string namePart = pattern.Contains(':') ? pattern[(pattern.IndexOf(':') + 1)..] : pattern;
        var close = CloseMatch.Suggest(namePart, available.Select(e => e.Name).Distinct(), 5);
        var full = close.Select(n => available.First(e => e.Name == n).ToString()).ToArray();
        string hint = full.Length > 0 ? $" Close matches: {string.Join(", ", full)}."
            : where is null ? " List them with Get-TraceEventType."
            : $" {(available.Count <= 12 ? "It has " + string.Join(", ", available) : "Get-TraceFileInfo lists its events")}.";
        return new TraceException(TraceErrorKind.NotFound, $"No trace event matches '{pattern}' {where ?? "on this kernel"}.{hint}") { ErrorId = "EventNotFound" };
    }

    internal static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
}
