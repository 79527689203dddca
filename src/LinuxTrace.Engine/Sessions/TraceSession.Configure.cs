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

    /// <summary>The trace clock against the wall clock as tracing started (a file's DATE, and its bound with the end's).</summary>
    private WallClockReading? _wallClockStart;

    /// <summary>Sets the instance up for the options (<see cref="InstanceSetup"/>) and enables <paramref name="events"/>.</summary>
    private void Configure(IReadOnlyList<EventName> events)
    {
        var setup = new InstanceSetup(_options, Instance, _restore, Catalog, _tracer, LiveFilter, Commands);
        setup.Apply(events, _program?.ProcessId);
        _wallClockStart = Instance.ReadWallClock();
        Factory.WallClockOffsetNs = _wallClockStart?.OffsetNs;
        ProcessIds = setup.ProcessIds;
        _self = setup.Self;
        Events = events;
        RefreshCommands(force: true);
        if (_program is not null) Commands.Remember(_program.ProcessId, Path.GetFileName(_options.Command!));
    }

    /// <summary>Kernel stacks can come with events: the stacktrace option, or a stacktrace trigger.</summary>
    private bool RecordsKernelStacks =>
        _options.StackTrace || _options.Triggers.Any(t => t.TrimStart().StartsWith("stacktrace", StringComparison.Ordinal));

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
