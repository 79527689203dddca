using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// Leaving LinuxTrace's own process out of a trace: its threads, those started later included, are dropped by the
/// engine (as the running task and as the other task of a sched_switch or sched_wakeup), and put into
/// set_event_notrace_pid so that the kernel does not spend ring-buffer space on them.
/// </summary>
internal sealed class SelfExclusion
{
    private readonly TraceInstance _instance;
    private readonly InstanceState? _restore;
    private readonly bool _tracerRuns, _functionTracer;
    private readonly OwnThreads _own = new();
    private IReadOnlyList<int> _kernelFiltered = Array.Empty<int>();
    private long _refreshed;

    /// <param name="restore">Where a borrowed instance's pid lists are remembered, to be put back.</param>
    /// <param name="tracerRuns">A tracer runs beside the events.</param>
    /// <param name="functionTracer">That tracer is function or function_graph (it has its own notrace pid list).</param>
    public SelfExclusion(TraceInstance instance, InstanceState? restore, bool tracerRuns, bool functionTracer)
    {
        _instance = instance;
        _restore = restore;
        _tracerRuns = tracerRuns;
        _functionTracer = functionTracer;
    }

    /// <summary>Makes <paramref name="filter"/> drop this process's threads in <paramref name="events"/>, except in
    /// markers (written on purpose, by Write-TraceMarker in this process too), and fills the kernel's pid lists.</summary>
    public void Start(RecordFilter filter, EventCatalog catalog, IEnumerable<EventName> events, IReadOnlySet<string> markers)
    {
        var markerIds = events.Where(e => e.System == "ftrace" && markers.Contains(e.Name)).Select(e => catalog.GetByName(e.System, e.Name)?.Id ?? -1);
        var formats = events.Select(e => catalog.GetByName(e.System, e.Name)).OfType<EventFormat>();
        filter.ExcludeThreads(_own, markerIds, RecordFilter.TaskFields(formats));
        if (_instance.HasNoTracePids)
        {
            _restore?.RememberNoTracePids();
            Refresh(force: true);
        }
    }

    /// <summary>Puts threads this process started since into set_event_notrace_pid (at most twice a second); the engine
    /// leaves out what slips through meanwhile.</summary>
    public void Refresh(bool force = false)
    {
        if (!_instance.HasNoTracePids) return;
        // while a function tracer runs, a pid-list write makes the kernel re-patch code (tracepoints, ftrace call
        // sites): minutes under emulation, and 6.1 under QEMU showed soft lockups of the writing thread; the list
        // written before the tracer started stays, and the engine leaves out threads started since
        if (!force && _tracerRuns) return;
        long now = Environment.TickCount64;
        if (!force && now - _refreshed < 500) return;
        _refreshed = now;
        var current = OwnThreads.Current();
        if (current.SequenceEqual(_kernelFiltered)) return;
        try
        {
            _instance.SetNoTracePids(current);
            // once, before the tracer starts: a pid list written while a function tracer runs re-patches every function
            if (force && _functionTracer && _instance.HasFile("set_ftrace_notrace_pid"))
            {
                _restore?.RememberFile("set_ftrace_notrace_pid");
                _instance.SetFunctionNoTracePids(current);
            }
            _kernelFiltered = current;
        }
        catch (TraceException) when (!force)
        {
            // a thread exited between listing and writing (ESRCH): the next refresh catches up
        }
    }
}
