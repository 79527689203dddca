using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// Why a trace may have come back empty: the instance as it was when the trace ended (before LinuxTrace switched it
/// off: someone else may have turned recording or an event off meanwhile), and the causes that apply, each with what
/// to try.
/// </summary>
internal sealed class EmptyTraceReasons(bool? tracingOnAtEnd, IReadOnlyList<string>? eventsEnabledAtEnd)
{
    /// <summary>Reads what may have changed under the trace: tracing_on and the enabled events.</summary>
    public static EmptyTraceReasons Capture(TraceInstance instance)
    {
        bool? on = null;
        IReadOnlyList<string>? enabled = null;
        try { on = instance.TracingOn; } catch (TraceException) { }
        try { enabled = instance.EnabledEvents; } catch (TraceException) { }
        return new EmptyTraceReasons(on, enabled);
    }

    /// <summary>The causes that apply to a trace of <paramref name="events"/> that recorded nothing; empty when none is known.</summary>
    public IReadOnlyList<string> Explain(IReadOnlyList<int> pids, IReadOnlyList<EventName> events, string? filter, string instanceName, bool excludesSelf,
        IReadOnlyList<CpuBufferStats>? stats)
    {
        var reasons = new List<string>();
        var gone = pids.Where(p => !Directory.Exists($"/proc/{p}")).ToArray();
        if (pids.Count > 0 && gone.Length == pids.Count)
            reasons.Add($"the traced process{(gone.Length > 1 ? "es" : "")} {string.Join(", ", gone)} no longer exist{(gone.Length > 1 ? "" : "s")}: it may have done nothing that fires {string.Join(", ", events)} before it exited");
        else if (pids.Count > 0)
            reasons.Add($"only pid{(pids.Count > 1 ? "s" : "")} {string.Join(", ", pids)} {(pids.Count > 1 ? "are" : "is")} traced, and {(pids.Count > 1 ? "they" : "it")} fired none of {string.Join(", ", events)}; -FollowChildren adds the processes {(pids.Count > 1 ? "they start" : "it starts")}");
        if (!string.IsNullOrWhiteSpace(filter))
            reasons.Add($"the kernel filter '{filter}' may match no event: try the trace without -Filter");
        if (tracingOnAtEnd == false)
            reasons.Add($"tracing was switched off in instance '{instanceName}' by someone else while the trace ran (tracing_on is 0)");
        if (eventsEnabledAtEnd is { } enabled)
        {
            var off = events.Where(e => e.System != "ftrace" && !enabled.Contains(e.ToString())).ToArray();
            if (off.Length > 0) reasons.Add($"{string.Join(", ", off)} {(off.Length > 1 ? "were" : "was")} disabled by someone else while the trace ran");
        }
        if (stats is { Count: > 0 } && stats.All(s => s.Entries == 0 && s.ReadEvents == 0 && s.Lost == 0))
            reasons.Add($"no CPU's ring buffer received an event: nothing fired {string.Join(", ", events)} during the trace{(excludesSelf ? " (LinuxTrace's own process is left out; -IncludeSelf keeps it)" : "")}");
        return reasons;
    }
}
