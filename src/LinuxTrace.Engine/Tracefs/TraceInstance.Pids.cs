using System.Globalization;

namespace LinuxTrace.Engine.Tracefs;

// An instance's pid lists: set_event_pid, set_event_notrace_pid, set_ftrace_pid, set_ftrace_notrace_pid.
public sealed partial class TraceInstance
{
    // ---- pid filters -----------------------------------------------------------------------------

    public IReadOnlyList<int> EventPids =>
        ReadFile("set_event_pid").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Replaces set_event_pid with <paramref name="pids"/> (empty clears it).</summary>
    public void SetEventPids(IEnumerable<int> pids)
    {
        var list = pids.ToArray();
        if (list.Length == 0) { WriteFile("set_event_pid", ""); return; }
        WriteFile("set_event_pid", string.Join(' ', list.Select(p => p.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>True when the kernel can leave pids out of event tracing (set_event_notrace_pid, 5.8+).</summary>
    public bool HasNoTracePids => HasFile("set_event_notrace_pid");

    /// <summary>Pids whose events are not recorded (set_event_notrace_pid).</summary>
    public IReadOnlyList<int> NoTracePids =>
        ReadFile("set_event_notrace_pid").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Replaces set_event_notrace_pid with <paramref name="pids"/> (empty clears it).</summary>
    public void SetNoTracePids(IEnumerable<int> pids) =>
        WriteFile("set_event_notrace_pid", string.Join(' ', pids.Select(p => p.ToString(CultureInfo.InvariantCulture))));

    /// <summary>Replaces the function tracers' pid list (set_ftrace_pid) with <paramref name="pids"/>.</summary>
    public void SetFunctionPids(IEnumerable<int> pids) =>
        WriteFile("set_ftrace_pid", string.Join(' ', pids.Select(p => p.ToString(CultureInfo.InvariantCulture))));

    /// <summary>Replaces the pids the function tracers leave out (set_ftrace_notrace_pid) with <paramref name="pids"/>.</summary>
    public void SetFunctionNoTracePids(IEnumerable<int> pids) =>
        WriteFile("set_ftrace_notrace_pid", string.Join(' ', pids.Select(p => p.ToString(CultureInfo.InvariantCulture))));
}
