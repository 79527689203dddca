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
/// file <c>WriteFile</c>. Its parts of their own: what is checked first (<see cref="Engine.Sessions.TracePlan"/>), the
/// instance and on what terms it is held (<see cref="Engine.Sessions.InstanceLease"/>), setting it up
/// (<see cref="Engine.Sessions.InstanceSetup"/>), the tracer (<see cref="Engine.Sessions.TracerSetup"/>), leaving
/// LinuxTrace out (<see cref="Engine.Sessions.SelfExclusion"/>), user-stack maps (<see cref="Engine.Sessions.UserStackMaps"/>),
/// the program it starts (<see cref="Engine.Sessions.LaunchedProcess"/>), the drainers (<see cref="Engine.RingBuffer.DrainSet"/>),
/// why a trace came back empty (<see cref="Engine.Sessions.EmptyTraceReasons"/>).
/// </summary>
public sealed partial class TraceSession : IDisposable, ILiveSession
{
    private static readonly ConcurrentDictionary<int, TraceSession> Active = new();
    private static int _counter;

    /// <summary>One lock around everything that ends the session or uses its file descriptors.</summary>
    private readonly object _gate = new();
    private readonly TraceSessionOptions _options;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stopRequested = new();
    private InstanceState? _restore;
    private InstanceLease? _lease;
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
    /// Sets up a session for <paramref name="options"/>: checks every name first (<see cref="TracePlan"/>: a typo changes
    /// nothing), removes orphaned LinuxTrace instances, takes its instance (<see cref="InstanceLease"/>), makes its probes,
    /// starts the program held before its first instruction, sets the tracer and the events up. Recording is still off:
    /// stream, record or <see cref="StartRecording"/> next.
    /// </summary>
    public static TraceSession Start(TraceSessionOptions options, TraceFileSystem? tracefs = null)
    {
        var fs = tracefs ?? TraceFileSystem.Default;
        var plan = TracePlan.Make(options, fs);
        // the handlers first: from the moment an instance exists, a signal must find them
        ProcessEndHandling.Watch();
        var orphans = InstanceOwnership.RemoveOrphans(fs);
        var session = new TraceSession(Interlocked.Increment(ref _counter), options, fs) { RemovedOrphans = orphans };
        Active[session.Id] = session;
        try
        {
            session.Take(plan.TopForGraph ? InstanceLease.TakeTopForGraph(fs)
                : options.Detached ? InstanceLease.TakeDetached(fs, options.Name!)
                : InstanceLease.Take(fs, options.Instance, session.Id));
            session.UsesTopBuffer = plan.TopForGraph;
            var events = plan.Events;
            session._probes = plan.Probes;
            events.AddRange(plan.Probes.Create(fs, session.OwnedInstanceName).Where(e => !events.Contains(e)));
            events.AddRange(TracerSetup.Records(options.Tracer, session.Catalog));
            // the program before this process's threads go into the notrace pid lists: with -FollowChildren
            // (event-fork, function-fork) a task forked by a listed thread is listed too, and would never be traced
            if (plan.Program is { } program)
                session._program = LaunchedProcess.StartSuspended(program, options.ArgumentList, options.WorkingDirectory ?? Environment.CurrentDirectory, options.CommandOutputDiscarded);
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

    /// <summary>The instance taken; the session's name and per-CPU loss accounting with it.</summary>
    private void Take(InstanceLease lease)
    {
        _lease = lease;
        Instance = lease.Instance;
        OwnsInstance = lease.Owned;
        _restore = lease.Restore;
        Name = _options.Name ?? Instance.DisplayName;
        // 6.1: a tracer set in an instance expands every buffer, and the top one, not yet allocated, then stays at its
        // small placeholder: remember what it was waiting for, to give it back
        if (_options.Tracer is not null && !Instance.IsTop) _topExpandedKB = Tracefs.Top.UnexpandedBufferSizeKB;
        Losses = new LossAccount(cpu => Instance.GetCpuStats(cpu).Lost, Instance.Cpus);
    }

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
    /// Turns recording on and leaves the trace to the kernel: nothing is undone at this process's end; the instance
    /// keeps recording until a process stops it by name (<see cref="DetachedTrace.Stop"/>). Only for a session started
    /// with <see cref="TraceSessionOptions.Detached"/>.
    /// </summary>
    public DetachedTrace Detach()
    {
        if (!_options.Detached) throw new InvalidOperationException($"Session {Name} was not started to be detached.");
        lock (_gate)
        {
            if (State != TraceSessionState.Running) throw new InvalidOperationException($"Session {Name} has stopped.");
            Instance.TracingOn = true;
            State = TraceSessionState.Detached;
            EndTime = DateTime.Now;
            _summary = new TraceSessionSummary(Name, InstanceName, StartTime, EndTime.Value, 0, 0, 0, [], []);
            Active.TryRemove(Id, out _);
            _lease?.Lock?.Dispose();
            _ended.Set();
        }
        return DetachedTrace.GetAll(Tracefs).First(t => t.InstanceName == Instance.Name);
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
            _drains.Stop(drain);
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
            var errors = UndoSetup();
            // after the teardown: the queue has counted what nobody took as dropped
            var queue = _drains.Queue;
            EndTime = DateTime.Now;
            State = TraceSessionState.Stopped;
            Active.TryRemove(Id, out _);
            _summary = new TraceSessionSummary(Name, InstanceName, StartTime, EndTime.Value, EventCount, LostEventCount, LossReports, stats,
                errors.Select(e => e.Message).ToArray())
            {
                DroppedByLinuxTrace = queue?.DroppedEvents ?? 0,
                Undelivered = queue?.UndeliveredEvents ?? 0,
                Drainers = _drains.Kind,
                QueuePeakBytes = queue?.PeakBytes ?? 0,
                QueueLimitBytes = queue?.MaxBytes ?? 0,
                DrainerCpuTime = _drains.CpuTime,
                EngineCpuTime = TimeSpan.FromTicks(_cpuClock.EngineNs / 100),
                PipelineCpuTime = TimeSpan.FromTicks(_cpuClock.PipelineNs / 100),
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
        _drains.Dispose(errors);
        try { _program?.Dispose(); } catch (Exception e) { errors.Add(e); }
        if (_lease is null) return errors;
        errors.AddRange(_lease.End());
        if (_topExpandedKB is { } kb)
        {
            try { Tracefs.Top.RestoreExpandedBufferSize(kb); } catch (Exception e) { errors.Add(e); }
        }
        if (_probes is not null) errors.AddRange(_probes.Remove(Tracefs, OwnedInstanceName));
        _lease.Lock?.Dispose();
        return errors;
    }

    public void Dispose() => Stop();

    private IDisposable? _kernelSide;
}
