using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

// Setting the instance up for the options: buffer, clock, pid filters, events and their filters, markers,
// leaving LinuxTrace's own threads out; and, when a trace comes back empty, saying why it may be.
public sealed partial class TraceSession
{
    private SelfExclusion? _self;

    /// <summary>What records must pass to reach the consumer: the selected events, and not LinuxTrace's own threads.</summary>
    internal RecordFilter LiveFilter { get; } = new();

    /// <summary>True when this process's threads are left out of the trace.</summary>
    public bool ExcludesSelf => _self is not null;

    private void Configure(IReadOnlyList<EventName> events)
    {
        var o = _options;
        var inst = Instance;
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
        Factory.WallClockOffsetNs = inst.WallClockOffsetNs();
        IReadOnlyList<int> pids = _program is null ? o.ProcessIds : [_program.ProcessId, .. o.ProcessIds];
        if (pids.Count > 0) SetProcessIds(pids);
        if (o.FollowChildren)
        {
            _restore?.RememberOption("event-fork");
            inst.SetOption("event-fork", true);
        }
        if (o.StackTrace)
        {
            if (!inst.HasOption("stacktrace"))
                throw new TraceException(TraceErrorKind.NotSupported, "This kernel has no stacktrace option: it cannot record kernel stacks with events (CONFIG_STACKTRACE).") { ErrorId = "StackTraceNotSupported" };
            _restore?.RememberOption("stacktrace");
            inst.SetOption("stacktrace", true);
        }
        if (o.UserStackTrace)
        {
            if (!inst.HasOption("userstacktrace"))
                throw new TraceException(TraceErrorKind.NotSupported, "This kernel has no userstacktrace option: it cannot record user-space stacks with events (CONFIG_USER_STACKTRACE_SUPPORT).") { ErrorId = "UserStackTraceNotSupported" };
            _restore?.RememberOption("userstacktrace");
            inst.SetOption("userstacktrace", true);
        }
        // events that an enable_event/disable_event trigger switches are recorded when it does: let them through too
        LiveFilter.AllowEvents(Catalog, events.Concat(o.Triggers.Select(TriggerTarget).OfType<EventName>()));
        // a tracer's pid filter (set_ftrace_pid) lets this process's calls through on some kernels (6.1 measured):
        // with a tracer, leave our own threads out even when only some processes are traced
        if (!o.IncludeSelf && ((o.ProcessIds.Count == 0 && o.Command is null) || o.Tracer is not null)) ExcludeSelf(events);
        foreach (var e in events)
        {
            if (e.System == "ftrace")
            {
                // markers written to the top-level trace_marker reach this instance too (copy_trace_marker, 6.17+)
                if (e.Name == "print" && !inst.IsTop && inst.HasOption("copy_trace_marker"))
                {
                    _restore?.RememberOption("copy_trace_marker");
                    inst.SetOption("copy_trace_marker", true);
                }
                continue;
            }
            _restore?.RememberEvent(e);
            if (!string.IsNullOrWhiteSpace(o.Filter))
            {
                try
                {
                    inst.SetEventFilter(e.System, e.Name, o.Filter);
                }
                catch (TraceException ex) when (ex.Kind == TraceErrorKind.InvalidArgument)
                {
                    throw new TraceException(TraceErrorKind.InvalidArgument, $"Bad filter for {e}: {ex.Message}", ex.Path, ex.Errno, ex)
                    {
                        KernelMessage = ex.KernelMessage, KernelErrorPosition = ex.KernelErrorPosition, ErrorId = "BadFilter",
                    };
                }
            }
            foreach (var trigger in o.Triggers) AddTrigger(e, trigger);
            inst.EnableEvent(e.System, e.Name, true);
        }
        Events = events;
        foreach (var e in events) Catalog.GetByName(e.System, e.Name); // load formats now, not on the hot path
        RefreshCommands(force: true);
        if (_program is not null) Commands.Remember(_program.ProcessId, Path.GetFileName(o.Command!));
    }

    private void AddTrigger(EventName e, string trigger)
    {
        trigger = trigger.Trim();
        try
        {
            Instance.AddEventTrigger(e.System, e.Name, trigger);
        }
        catch (TraceException ex) when (ex.Kind is TraceErrorKind.InvalidArgument or TraceErrorKind.AlreadyExists or TraceErrorKind.NotFound)
        {
            // the kernel logs no explanation for a trigger (error_log stays silent): find the part it refused
            var explained = ex.Kind == TraceErrorKind.AlreadyExists ? null : ExplainTrigger(e, trigger);
            string why = ex.Kind == TraceErrorKind.AlreadyExists ? $"{e} already has a trigger of this kind ({ex.Message})"
                : explained?.Message ?? ex.Message;
            throw new TraceException(TraceErrorKind.InvalidArgument, $"Bad trigger '{trigger}' for {e}: {why}", ex.Path, ex.Errno, ex)
            {
                KernelMessage = explained?.KernelMessage ?? ex.KernelMessage,
                KernelErrorPosition = explained is null ? ex.KernelErrorPosition : explained.KernelErrorPosition,
                ErrorId = "BadTrigger",
            };
        }
        _restore?.RememberTrigger(e, trigger);
        if (TriggerTarget(trigger) is { } target) Catalog.GetByName(target.System, target.Name);
    }

    // a trigger's command part split at ':' ("stacktrace:5 if …" gives stacktrace, 5; "enable_event:sched:sched_wakeup")
    private static string[] TriggerHead(string trigger) => trigger.Trim().Split(' ', 2)[0].Split(':');

    /// <summary>Why the kernel refused a trigger: a command it does not have (the trigger file lists those it has), or
    /// a filter it cannot parse (tried on the event's filter file, which explains itself, and put back at once: the event
    /// is not enabled yet). Null when neither is the reason.</summary>
    private TraceException? ExplainTrigger(EventName e, string trigger)
    {
        var head = TriggerHead(trigger);
        string command = head[0];
        var available = Instance.AvailableTriggers(e.System, e.Name);
        if (available.Count > 0 && !available.Contains(command))
            return new TraceException(TraceErrorKind.InvalidArgument, $"this kernel has no '{command}' trigger; it has {string.Join(", ", available)}");
        // cmd[:count], enable_event:system:event[:count]: a count is a whole number
        int countAt = command is "enable_event" or "disable_event" ? 3 : 1;
        if (command != "hist" && head.Length > countAt && !uint.TryParse(head[countAt], out _))
            return new TraceException(TraceErrorKind.InvalidArgument, $"its count '{head[countAt]}' is not a whole number (the syntax is {(countAt == 3 ? command + ":system:event" : command)}[:count] [if filter])");
        if (command is "enable_event" or "disable_event" && (head.Length < 3 || !Instance.EventExists(head[1], head[2])))
            return new TraceException(TraceErrorKind.InvalidArgument, head.Length < 3 ? $"{command} needs the event it switches ({command}:system:event)" : $"there is no event {head[1]}:{head[2]} to switch");
        int at = trigger.IndexOf(" if ", StringComparison.Ordinal);
        if (at < 0) return null;
        string filter = trigger[(at + 4)..].Trim();
        string? old = Instance.GetEventFilter(e.System, e.Name);
        try
        {
            Instance.SetEventFilter(e.System, e.Name, filter);
            return null;
        }
        catch (TraceException fx) when (fx.Kind == TraceErrorKind.InvalidArgument)
        {
            return new TraceException(TraceErrorKind.InvalidArgument, $"its filter is refused. {fx.Message}")
            {
                KernelMessage = fx.KernelMessage, KernelErrorPosition = fx.KernelErrorPosition,
            };
        }
        finally
        {
            try { Instance.SetEventFilter(e.System, e.Name, old); } catch (TraceException) { }
        }
    }

    /// <summary>The event an enable_event / disable_event trigger switches ('enable_event:sched:sched_wakeup:2 if …').</summary>
    internal static EventName? TriggerTarget(string trigger)
    {
        var parts = TriggerHead(trigger);
        return parts.Length >= 3 && parts[0] is "enable_event" or "disable_event" ? new EventName(parts[1], parts[2]) : null;
    }

    /// <summary>Kernel stacks can come with events: the stacktrace option, or a stacktrace trigger.</summary>
    private bool RecordsKernelStacks =>
        _options.StackTrace || _options.Triggers.Any(t => t.TrimStart().StartsWith("stacktrace", StringComparison.Ordinal));

    /// <summary>Restricts recording to <paramref name="pids"/> (set_event_pid).</summary>
    private void SetProcessIds(IReadOnlyList<int> pids)
    {
        _restore?.RememberPids();
        Instance.SetEventPids(pids);
        _tracer?.SetPids(pids);
        // set_ftrace_pid is advisory on some kernels (6.1 lets other tasks' function_graph calls through): the engine
        // keeps exactly these pids' records too, and with -FollowChildren those of the tasks they fork, which it
        // learns from sched_process_fork records (enabled for that, and passed on only if asked for)
        if (_options.Tracer is not null)
        {
            LiveFilter.AllowPids(pids);
            if (_options.FollowChildren && Catalog.GetByName("sched", "sched_process_fork") is { } fork
                && fork.GetField("parent_pid") is { } parent && fork.GetField("child_pid") is { } child)
            {
                _restore?.RememberEvent(new EventName("sched", "sched_process_fork"));
                Instance.EnableEvent("sched", "sched_process_fork", true);
                LiveFilter.FollowForks(fork.Id, parent.Offset, child.Offset);
            }
        }
        ProcessIds = pids;
    }

    // ---- leaving LinuxTrace's own process out ---------------------------------------------------

    private void ExcludeSelf(IEnumerable<EventName> events)
    {
        _self = new SelfExclusion(Instance, _restore, _options.Tracer is not null, _tracer?.IsFunctionTracer == true);
        _self.Start(LiveFilter, Catalog, events, Markers);
    }

    /// <summary>Threads this process started since, into the kernel's notrace pid list (<see cref="SelfExclusion"/>).</summary>
    private void RefreshOwnThreads(bool force = false) => _self?.Refresh(force);

    // ---- command names ----------------------------------------------------------------------------

    private long _commandsRefreshed = -1;

    /// <summary>Reloads the kernel's saved_cmdlines (pid to command of traced tasks) at most twice a second.</summary>
    private void RefreshCommands(bool force = false)
    {
        long now = Environment.TickCount64;
        if (!force && _commandsRefreshed >= 0 && now - _commandsRefreshed < 500) return;
        _commandsRefreshed = now;
        Commands.Refresh(Tracefs);
    }

    // ---- why a trace came back empty ------------------------------------------------------------

    private EmptyTraceReasons? _endState;

    /// <summary>What the instance looked like when the trace ended, before LinuxTrace switched it off.</summary>
    private void NoteEndState()
    {
        if (_endState is not null || Instance is null) return;
        _endState = EmptyTraceReasons.Capture(Instance);
    }

    /// <summary>
    /// For a trace that ended with no events: the causes that apply, each with what to try. Empty when none is
    /// known. Call after the trace ended (the per-CPU statistics are read from <paramref name="stats"/>).
    /// </summary>
    public IReadOnlyList<string> ExplainEmpty(IReadOnlyList<CpuBufferStats>? stats = null) =>
        (_endState ?? new EmptyTraceReasons(null, null)).Explain(ProcessIds, Events, Filter, InstanceName, ExcludesSelf, stats);
}
