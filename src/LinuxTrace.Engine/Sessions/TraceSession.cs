using System.Collections.Concurrent;
using System.Diagnostics;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

/// <summary>
/// A trace session: owns a private instance (held by a lock for its lifetime) or borrows one and remembers what it
/// changed, enables the events with their filters and pid filters, optionally starts the program to trace, and then
/// either streams records (TraceSession.Live.cs), records pages to a file (TraceSession.Recording.cs), or keeps
/// recording into the kernel buffer for later reads (TraceSession.Buffer.cs). On every end (normal, Ctrl+C,
/// Select-Object -First, an exception, Stop-Trace from any runspace, SIGTERM/SIGHUP/SIGINT, process exit) it
/// turns recording off and undoes everything it set up, once, under one lock.
///
/// The verbs: <see cref="Start"/> sets up and returns a running session; <see cref="StartRecording"/> turns the
/// kernel's recording on (releasing a held program); <see cref="Stop"/> is the one end, from any thread, any number of
/// times: it ends the session and undoes everything (<see cref="Dispose"/> is Stop). <see cref="RequestStop"/> only asks
/// a running stream or recording loop to end as its end condition would (Ctrl+C, a signal), and the loop then calls
/// Stop. Inside: <c>TurnRecordingOff</c> (and drain what is left), <c>UndoSetup</c> (the kernel changes), and for a
/// file <c>WriteFile</c>. Its parts of their own: the tracer (<see cref="Engine.Sessions.TracerSetup"/>), leaving
/// LinuxTrace out (<see cref="Engine.Sessions.SelfExclusion"/>), user-stack maps (<see cref="Engine.Sessions.UserStackMaps"/>),
/// the program it starts (<see cref="Engine.Sessions.LaunchedProcess"/>), why a trace came back empty
/// (<see cref="Engine.Sessions.EmptyTraceReasons"/>), who owns the instance (<see cref="Engine.Sessions.InstanceOwnership"/>).
/// </summary>
public sealed partial class TraceSession : IDisposable
{
    private static readonly ConcurrentDictionary<int, TraceSession> Active = new();
    private static int _counter;

    /// <summary>ftrace records that mark a trace (trace_marker writes, trace_printk): they need no enabling.</summary>
    private static readonly HashSet<string> Markers = new(StringComparer.Ordinal) { "print", "bprint", "bputs" };

    /// <summary>One lock around everything that ends the session or uses its file descriptors.</summary>
    private readonly object _gate = new();
    private readonly TraceSessionOptions _options;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stopRequested = new();
    private InstanceState? _restore;
    private InstanceOwnership? _ownership;
    private LaunchedProcess? _program;
    private readonly UserStackMaps? _userMaps;
    private TraceProbes? _probes;
    private TraceSessionSummary? _summary;
    private int? _topExpandedKB;
    private long _events, _lost, _lostMarkers;

    private TraceSession(int id, TraceSessionOptions options, TraceFileSystem fs)
    {
        Id = id;
        _options = options;
        Tracefs = fs;
        Factory = EventFactory.ForLive(fs);
        StartTime = DateTime.Now;
        _userMaps = options.UserStackTrace && Factory.UserSymbols is { } symbols ? new UserStackMaps(symbols, () => ProcessIds, options.FollowChildren) : null;
    }

    public int Id { get; }
    public string Name { get; private set; } = "";
    public TraceFileSystem Tracefs { get; }

    /// <summary>The instance the session records into.</summary>
    public TraceInstance Instance { get; private set; } = null!;

    public string InstanceName => Instance?.DisplayName ?? "";

    /// <summary>True when the session created its instance and removes it at the end.</summary>
    public bool OwnsInstance { get; private set; }

    /// <summary>The instance's name when the session owns it (its probe ledger is kept under it), else null.</summary>
    private string? OwnedInstanceName => OwnsInstance && Instance is not null ? Instance.Name : null;

    public IReadOnlyList<EventName> Events { get; private set; } = Array.Empty<EventName>();
    public string? Filter => _options.Filter;
    public IReadOnlyList<int> ProcessIds { get; private set; } = Array.Empty<int>();
    public DateTime StartTime { get; }
    public DateTime? EndTime { get; private set; }
    public TraceSessionState State { get; private set; } = TraceSessionState.Running;

    /// <summary>Events handed to the consumer so far.</summary>
    public long EventCount => Interlocked.Read(ref _events);

    /// <summary>Events known lost so far (kernel and LinuxTrace together).</summary>
    public long LostEventCount => Interlocked.Read(ref _lost);

    /// <summary>Loss reports in the stream (with or without a count).</summary>
    public long LossReports => Interlocked.Read(ref _lostMarkers);

    /// <summary>The pid of the program started with <see cref="TraceSessionOptions.Command"/>, or null.</summary>
    public int? CommandProcessId => _program?.ProcessId;

    /// <summary>LinuxTrace instances of killed LinuxTrace processes that this session's start removed.</summary>
    public IReadOnlyList<string> RemovedOrphans { get; private set; } = Array.Empty<string>();

    public EventFactory Factory { get; }
    public EventCatalog Catalog => Factory.Catalog;
    public CommandResolver Commands => Factory.Commands;

    /// <summary>Keeps the lost-event counts in the stream equal to the kernel's statistics.</summary>
    internal LossAccount Losses { get; private set; } = null!;

    /// <summary>Sessions of this process that are still running.</summary>
    public static IReadOnlyList<TraceSession> GetActive() => Active.Values.OrderBy(s => s.Id).ToArray();

    public override string ToString() => Name;

    /// <summary>
    /// Sets up a session for <paramref name="options"/>: checks every name first (so a typo changes nothing), removes
    /// orphaned LinuxTrace instances, takes its instance, enables the events and, with a command, starts the program
    /// held before its first instruction. Recording is still off: stream, record or <see cref="StartRecording"/> next.
    /// </summary>
    public static TraceSession Start(TraceSessionOptions options, TraceFileSystem? tracefs = null)
    {
        var fs = tracefs ?? TraceFileSystem.Default;
        if (options.Events.Count == 0 && options.Tracer is null && options.Probes.Count == 0 && options.KernelSide is null)
            throw new TraceException(TraceErrorKind.InvalidArgument, "Name at least one event to trace (-Event sched:sched_switch, for example), a tracer (-Tracer function_graph) or a probe (-KProbe, -UProbe).") { ErrorId = "NoEvents" };
        fs.Capabilities.Require(TraceCapabilities.Events);
        var probes = TraceProbes.Plan(options, fs);
        var patterns = options.Events.Where(e => !probes.Planned.Any(p => p.Name is { } n && (e == n || e == p.EffectiveGroup + ":" + n))).ToArray();
        var events = patterns.Length == 0 ? new List<EventName>() : EventSelector.Resolve(fs.Top, patterns, includeFtrace: true).ToList();
        foreach (var e in events)
        {
            if (e.System == "ftrace" && !Markers.Contains(e.Name))
                throw new TraceException(TraceErrorKind.InvalidArgument,
                    $"{e} records are written by a tracer, not enabled as an event: use -Tracer ({(e.Name == "function" ? "function" : "function_graph")}). The markers ftrace:print, ftrace:bprint and ftrace:bputs can be traced as events.")
                    { ErrorId = "NotAnEvent" };
        }
        foreach (int pid in options.ProcessIds)
        {
            if (!Directory.Exists($"/proc/{pid}"))
                throw new TraceException(TraceErrorKind.NotFound, $"There is no process {pid}: nothing could be traced for it.", $"/proc/{pid}") { ErrorId = "ProcessNotFound" };
        }
        string? program = options.Command is null ? null : LaunchedProcess.ResolveCommand(options.Command, options.WorkingDirectory ?? Environment.CurrentDirectory);
        TracerSetup.Check(options, fs);
        bool topForGraph = TracerSetup.IsGraphTracer(options.Tracer) && options.Instance is null && !TracerSetup.InstancesHaveGraphTracer(fs);
        if (options.Instance is null && !topForGraph) fs.Capabilities.Require(TraceCapabilities.Instances);

        // the handlers first: from the moment an instance exists, a signal must find them
        ProcessEndHandling.Watch();
        var orphans = InstanceOwnership.RemoveOrphans(fs);
        var session = new TraceSession(Interlocked.Increment(ref _counter), options, fs) { RemovedOrphans = orphans };
        Active[session.Id] = session;
        try
        {
            if (topForGraph) session.TakeTopForGraph();
            else session.TakeInstance();
            session.AfterInstanceTaken();
            session._probes = probes;
            events.AddRange(probes.Create(fs, session.OwnedInstanceName).Where(e => !events.Contains(e)));
            events.AddRange(TracerSetup.Records(options.Tracer, session.Catalog));
            // the program before this process's threads go into the notrace pid lists: with -FollowChildren
            // (event-fork, function-fork) a task forked by a listed thread is listed too, and would never be traced
            if (program is not null) session.LaunchCommand(program);
            session.ConfigureTracer();
            session.Configure(events);
            if (options.KernelSide is not null) session._kernelSide = options.KernelSide(session);
            session.StartTracer();
        }
        catch
        {
            session.Stop();
            throw;
        }
        return session;
    }

    /// <summary>A private instance held by its lock, the named one borrowed (state remembered), or created if missing.</summary>
    private void TakeInstance()
    {
        var fs = Tracefs;
        if (_options.Instance is null)
        {
            var (inst, ownership) = InstanceOwnership.CreateOwned(fs, Id);
            _ownership = ownership;
            Instance = inst;
            OwnsInstance = true;
        }
        else if (TraceFileSystem.IsTopName(_options.Instance) || fs.InstanceExists(_options.Instance))
        {
            Instance = fs.GetInstance(_options.Instance);
            _restore = new InstanceState(Instance);
            _restore.RememberTracingOn(); // every end turns recording off: give back what it was
        }
        else
        {
            Instance = fs.CreateInstance(_options.Instance);
            OwnsInstance = true;
        }
    }

    /// <summary>The session's name and per-CPU loss accounting, once its instance is taken.</summary>
    private void AfterInstanceTaken()
    {
        Name = _options.Name ?? Instance.DisplayName;
        // 6.1: a tracer set in an instance expands every buffer, and the top one, not yet allocated, then stays at its
        // small placeholder: remember what it was waiting for, to give it back
        if (_options.Tracer is not null && !Instance.IsTop) _topExpandedKB = Tracefs.Top.UnexpandedBufferSizeKB;
        Losses = new LossAccount(cpu => Instance.GetCpuStats(cpu).Lost, Instance.Cpus);
    }

    /// <summary>Starts the program held stopped (before its first instruction); <see cref="Configure"/> limits tracing to it.</summary>
    private void LaunchCommand(string path) =>
        _program = LaunchedProcess.StartSuspended(path, _options.ArgumentList, _options.WorkingDirectory ?? Environment.CurrentDirectory);

    /// <summary>Turns the kernel's recording on, then lets the held program run.</summary>
    public void StartRecording()
    {
        lock (_gate)
        {
            if (State != TraceSessionState.Running) throw new InvalidOperationException($"Session {Name} has stopped.");
            Instance.TracingOn = true;
        }
        _program?.Release();
        _userMaps?.Defer();
    }

    /// <summary>
    /// True when tracing should end: the program exited, the duration passed, or the session was asked to stop
    /// (Stop from another thread, a termination signal).
    /// </summary>
    private bool ShouldEnd() =>
        _stopRequested.IsCancellationRequested
        || (_program is not null && _program.HasExited)
        || (_options.Duration is { } d && _clock.Elapsed >= d);

    /// <summary>Asks a streaming or recording loop to end as if its end condition had come (the loop ends cleanly);
    /// <paramref name="interrupt"/> says it was Ctrl+C (SIGINT): the command running the loop then stops its pipeline.</summary>
    public void RequestStop(bool interrupt = false)
    {
        if (interrupt) Interrupted = true;
        _stopRequested.Cancel();
    }

    /// <summary>True when SIGINT ended the trace (as Ctrl+C): the command that ran it should stop its pipeline.</summary>
    public bool Interrupted { get; private set; }

    private readonly ManualResetEventSlim _ended = new(false);
    private int _foregroundThread;

    /// <summary>A stream or a recording is running on some thread (as opposed to a session recording in the background).</summary>
    internal bool InForeground => _foregroundThread != 0 && State == TraceSessionState.Running;

    /// <summary>Marks the calling thread as the one running the session's stream or recording loop.</summary>
    private void EnterForeground() => _foregroundThread = Environment.CurrentManagedThreadId;

    // ---- ending ---------------------------------------------------------------------------------

    /// <summary>Turns recording off; with <paramref name="drain"/>, reads what the buffers hold after the drainers stopped.</summary>
    private void TurnRecordingOff(bool drain)
    {
        lock (_gate)
        {
            if (State != TraceSessionState.Running || Instance is null) return;
            try { Instance.TracingOn = false; } catch (TraceException) { }
            foreach (var d in _drainers) d.Stop();
            if (drain) foreach (var d in _drainers) d.DrainRemaining();
        }
    }

    /// <summary>Ends the session: stops recording, reads the final statistics, and restores or removes the instance.
    /// Safe from any thread, any number of times.</summary>
    public TraceSessionSummary Stop()
    {
        // Another thread (Stop-Trace in another runspace, a signal) stopping a stream or a recording: the loop that
        // owns it ends itself and finishes its work (a file is written), then stops the session; wait for that.
        if (InForeground && _foregroundThread != Environment.CurrentManagedThreadId)
        {
            RequestStop();
            _ended.Wait(TimeSpan.FromSeconds(30));
        }
        lock (_gate)
        {
            if (_summary is not null) return _summary;
            _stopRequested.Cancel();
            TurnRecordingOff(drain: false);
            RefreshCommands(force: true);
            IReadOnlyList<CpuBufferStats> stats;
            try { stats = Instance?.GetCpuStats() ?? Array.Empty<CpuBufferStats>(); } catch (Exception) { stats = Array.Empty<CpuBufferStats>(); }
            string? drainers = _drainers.Length == 0 ? null
                : _drainers.All(d => d.IsNative) ? "native" : $"managed ({LinuxTrace.Engine.Native.NativeDrain.Unavailable ?? "the native drainer did not start"})";
            var errors = UndoSetup();
            // after the teardown: the queue has counted what nobody took as dropped
            long dropped = _queue?.DroppedEvents ?? 0, peak = _queue?.PeakBytes ?? 0;
            EndTime = DateTime.Now;
            State = TraceSessionState.Stopped;
            Active.TryRemove(Id, out _);
            _summary = new TraceSessionSummary(Name, InstanceName, StartTime, EndTime.Value, EventCount, LostEventCount, LossReports, stats,
                errors.Select(e => e.Message).ToArray())
            {
                DroppedByLinuxTrace = dropped,
                Undelivered = _queue?.UndeliveredEvents ?? 0,
                Drainers = drainers,
                QueuePeakBytes = peak,
                QueueLimitBytes = _queue?.MaxBytes ?? 0,
                DrainerCpuTime = _drainers.Aggregate(TimeSpan.Zero, (t, d) => t + d.CpuTime),
                EngineCpuTime = TimeSpan.FromTicks(_engineCpuNs / 100),
                PipelineCpuTime = TimeSpan.FromTicks(_pipelineCpuNs / 100),
            };
            _ended.Set();
            return _summary;
        }
    }

    /// <summary>Undoes what the session set up: drainers closed, the program killed if it still runs, the instance
    /// removed (owned) or restored (borrowed). Collects failures instead of stopping at the first.</summary>
    private List<Exception> UndoSetup()
    {
        var errors = new List<Exception>();
        try { _kernelSide?.Dispose(); _kernelSide = null; } catch (Exception e) { errors.Add(e); }
        foreach (var d in _drainers)
        {
            try { d.Dispose(); } catch (Exception e) { errors.Add(e); }
        }
        try { _queue?.Dispose(); } catch (Exception e) { errors.Add(e); }
        try { _program?.Dispose(); } catch (Exception e) { errors.Add(e); }
        if (Instance is null) return errors;
        if (OwnsInstance)
        {
            errors.AddRange(Instance.Retire());
        }
        else if (_restore is not null)
        {
            errors.AddRange(_restore.Restore());
        }
        if (_topExpandedKB is { } kb)
        {
            try { Tracefs.Top.RestoreExpandedBufferSize(kb); } catch (Exception e) { errors.Add(e); }
        }
        if (_probes is not null) errors.AddRange(_probes.Remove(Tracefs, OwnedInstanceName));
        _ownership?.Dispose();
        return errors;
    }

    public void Dispose() => Stop();

    private IDisposable? _kernelSide;
}
