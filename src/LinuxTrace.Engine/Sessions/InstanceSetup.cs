using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// Sets a session's instance up for its options, with recording off: buffer size, clock, pid filters (and following
/// forks), stack options, LinuxTrace's own threads left out, and each event with its filter and triggers, enabled.
/// What it changes in a borrowed instance is remembered in <see cref="InstanceState"/> to be put back. It also fills the
/// engine's <see cref="RecordFilter"/>: the selected events (and those a trigger switches), the traced pids where the
/// kernel's pid filter is advisory, and this process's threads.
/// </summary>
internal sealed class InstanceSetup
{
    /// <summary>ftrace records that mark a trace (trace_marker writes, trace_printk): they need no enabling.</summary>
    public static readonly IReadOnlySet<string> Markers = new HashSet<string>(StringComparer.Ordinal) { "print", "bprint", "bputs" };

    private readonly TraceSessionOptions _o;
    private readonly TraceInstance _inst;
    private readonly InstanceState? _restore;
    private readonly EventCatalog _catalog;
    private readonly TracerSetup? _tracer;
    private readonly RecordFilter _filter;
    private readonly CommandResolver? _commands;

    public InstanceSetup(TraceSessionOptions options, TraceInstance instance, InstanceState? restore, EventCatalog catalog,
        TracerSetup? tracer, RecordFilter filter, CommandResolver? commands = null)
    {
        _commands = commands;
        _o = options;
        _inst = instance;
        _restore = restore;
        _catalog = catalog;
        _tracer = tracer;
        _filter = filter;
    }

    /// <summary>The pids recording is limited to (empty: all).</summary>
    public IReadOnlyList<int> ProcessIds { get; private set; } = Array.Empty<int>();

    /// <summary>LinuxTrace's own threads left out (null when they are not).</summary>
    public SelfExclusion? Self { get; private set; }

    /// <summary>Applies the options and enables <paramref name="events"/>; <paramref name="programPid"/> is the program
    /// the session started, traced with the options' pids.</summary>
    public void Apply(IReadOnlyList<EventName> events, int? programPid)
    {
        var o = _o;
        var inst = _inst;
        _restore?.RememberTracingOn();
        inst.TracingOn = false;
        if (o.BufferSizeKB is { } kb)
        {
            _restore?.RememberBufferSize();
            inst.BufferSizeKB = kb;
        }
        if (o.Clock is not null)
        {
            _restore?.RememberClock();
            inst.Clock = o.Clock;
        }
        IReadOnlyList<int> pids = programPid is { } p ? [p, .. o.ProcessIds] : o.ProcessIds;
        if (pids.Count > 0) SetProcessIds(pids);
        if (o.FollowChildren) SetOption("event-fork");
        if (o.StackTrace)
        {
            if (!inst.HasOption("stacktrace"))
                throw new TraceException(TraceErrorKind.NotSupported, "This kernel has no stacktrace option: it cannot record kernel stacks with events (CONFIG_STACKTRACE).") { ErrorId = "StackTraceNotSupported" };
            SetOption("stacktrace");
        }
        if (o.UserStackTrace)
        {
            if (!inst.HasOption("userstacktrace"))
                throw new TraceException(TraceErrorKind.NotSupported, "This kernel has no userstacktrace option: it cannot record user-space stacks with events (CONFIG_USER_STACKTRACE_SUPPORT).") { ErrorId = "UserStackTraceNotSupported" };
            SetOption("userstacktrace");
        }
        // events that an enable_event/disable_event trigger switches are recorded when it does: let them through too
        _filter.AllowEvents(_catalog, events.Concat(o.Triggers.Select(EventTriggers.Target).OfType<EventName>()));
        // a tracer's pid filter (set_ftrace_pid) lets this process's calls through on some kernels (6.1 measured):
        // with a tracer, leave our own threads out even when only some processes are traced
        // (not in a detached trace: this process ends soon, and a pid left in the list would hide whatever reuses it)
        if (!o.IncludeSelf && !o.Detached && ((o.ProcessIds.Count == 0 && o.Command is null) || o.Tracer is not null))
        {
            Self = new SelfExclusion(inst, _restore, o.Tracer is not null, _tracer?.IsFunctionTracer == true);
            Self.Start(_filter, _catalog, events, Markers);
        }
        foreach (var e in events)
        {
            if (e.System == "ftrace")
            {
                // markers written to the top-level trace_marker reach this instance too (copy_trace_marker, 6.17+)
                if (e.Name == "print" && !inst.IsTop && inst.HasOption("copy_trace_marker")) SetOption("copy_trace_marker");
                continue;
            }
            _restore?.RememberEvent(e);
            if (!string.IsNullOrWhiteSpace(o.Filter)) SetFilter(e, o.Filter);
            foreach (var trigger in o.Triggers) EventTriggers.Add(inst, _restore, _catalog, e, trigger);
            inst.EnableEvent(e.System, e.Name, true);
        }
        foreach (var e in events) _catalog.GetByName(e.System, e.Name); // load formats now, not on the hot path
    }

    private void SetOption(string name)
    {
        _restore?.RememberOption(name);
        _inst.SetOption(name, true);
    }

    private void SetFilter(EventName e, string filter)
    {
        try
        {
            _inst.SetEventFilter(e.System, e.Name, filter);
        }
        catch (TraceException ex) when (ex.Kind == TraceErrorKind.InvalidArgument)
        {
            throw new TraceException(TraceErrorKind.InvalidArgument, $"Bad filter for {e}: {ex.Message}", ex.Path, ex.Errno, ex)
            {
                KernelMessage = ex.KernelMessage, KernelErrorPosition = ex.KernelErrorPosition, ErrorId = "BadFilter",
            };
        }
    }

    /// <summary>Restricts recording to <paramref name="pids"/> (set_event_pid, and the tracer's set_ftrace_pid).</summary>
    private void SetProcessIds(IReadOnlyList<int> pids)
    {
        _restore?.RememberPids();
        _inst.SetEventPids(pids);
        _tracer?.SetPids(pids);
        // set_ftrace_pid is advisory on some kernels (6.1 lets other tasks' function_graph calls through): the engine
        // keeps exactly these pids' records too, and with -FollowChildren those of the tasks they fork, which it
        // learns from sched_process_fork records, and their commands from those and sched_process_exec (both enabled
        // for that, and passed on only if asked for; see FollowedTasks)
        if (_o.Tracer is not null)
        {
            _filter.AllowPids(pids);
            if (_o.FollowChildren && _catalog.GetByName("sched", "sched_process_fork") is { } fork
                && fork.GetField("parent_pid") is not null && fork.GetField("child_pid") is not null)
            {
                var exec = _catalog.GetByName("sched", "sched_process_exec");
                foreach (var e in exec is null ? [fork] : new[] { fork, exec })
                {
                    _restore?.RememberEvent(new EventName(e.System, e.Name));
                    _inst.EnableEvent(e.System, e.Name, true);
                }
                _filter.FollowForks(fork, exec, _commands);
            }
        }
        ProcessIds = pids;
    }
}
