using System.Management.Automation;
using LinuxTrace.Engine.Probes;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Symbols;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>
/// What Measure-TraceEvent and Measure-TraceLatency share: their sources (a live trace with Start-Trace's parameters,
/// trace.dat files, a session's buffer, or events from the pipeline) fed to an engine aggregator, a progress line
/// with the biggest groups, and Ctrl+C in an interactive console ending a live trace with its result still returned.
/// </summary>
public abstract class AggregateCommandBase : LinuxTraceCmdlet
{
    protected const string LiveSet = "Live", PathSet = "Path", LiteralPathSet = "LiteralPath", SessionSet = "Session", InputSet = "InputObject";

    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    public string[]? LiteralPath { get; set; }

    /// <summary>A session started with Start-Trace -AsSession: its buffer is read.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    public TraceSession? Session { get; set; }

    /// <summary>Events from the pipeline (Get-TraceEvent, Start-Trace).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    public PSObject? InputObject { get; set; }

    // ---- a live trace: Start-Trace's parameters ----
    [Parameter(ParameterSetName = LiveSet)]
    public string? Filter { get; set; }

    [Parameter(ParameterSetName = LiveSet)]
    [Alias("Pid")]
    public int[]? ProcessId { get; set; }

    [Parameter(ParameterSetName = LiveSet)]
    public SwitchParameter FollowChildren { get; set; }

    [Parameter(ParameterSetName = LiveSet)]
    public string? Command { get; set; }

    [Parameter(ParameterSetName = LiveSet)]
    [Alias("Args")]
    public string[] ArgumentList { get; set; } = [];

    [Parameter(ParameterSetName = LiveSet)]
    [Seconds]
    public TimeSpan? Duration { get; set; }

    [Parameter(ParameterSetName = LiveSet)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    [Parameter(ParameterSetName = LiveSet)]
    [ValidateRange(1, int.MaxValue)]
    public int? BufferSizeKB { get; set; }

    /// <summary>Probes made for the live trace only, or existing ones (as Start-Trace -KProbe / -UProbe: definitions
    /// or DynamicProbe objects).</summary>
    [Parameter(ParameterSetName = LiveSet)]
    public object[] KProbe { get; set; } = [];

    [Parameter(ParameterSetName = LiveSet)]
    public object[] UProbe { get; set; } = [];

    /// <summary>Live: also record this PowerShell process's own threads (left out by default, as Start-Trace leaves them out).
    /// Scheduler latencies need them: a task woken by pwsh and switched in after pwsh ran would otherwise be missed.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    public SwitchParameter IncludeSelf { get; set; }

    /// <summary>The events a live trace records (and a file read keeps).</summary>
    protected abstract IReadOnlyList<string> SourceEvents { get; }

    protected abstract string What { get; }

    /// <summary>Throws (an engine error) when the keys or fields fit none of the formats.</summary>
    protected abstract void Check(IReadOnlyList<EventFormat> formats);

    protected abstract void Visit(in RecordRef r, EventFormat? f);

    protected abstract void Add(TraceEvent e);

    protected abstract void AddLost(long count);

    protected abstract string Progress(Func<int, string> commandOf);

    protected abstract void Emit(Func<int, string> commandOf, SyscallTable? syscalls);

    private readonly List<TraceEvent> _pipelineEvents = new();
    private bool _pipelineChecked;

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case InputSet:
                var o = InputObject?.BaseObject;
                if (o is TraceEvent e)
                {
                    if (!_pipelineChecked) { _pipelineChecked = true; Terminating(() => Check([e.GetFormat()]), "FieldNotFound", e.EventName); }
                    Add(e);
                }
                else if (o is TraceLostEvents l) AddLost(l.Count ?? 0);
                break;
            case PathSet or LiteralPathSet:
                foreach (var file in ResolvePaths(Path, LiteralPath)) ReadFile(file);
                break;
            case SessionSet:
                if (!IsRunning(Session!)) return;
                ReadSession(Session!);
                break;
            default:
                RunLive();
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == InputSet) Emit(_ => "<...>", SyscallTable.ForThisMachine());
    }

    private void ReadFile(string file)
    {
        using var reader = Terminating(() => new TraceFileReader([file]), "ReadTraceFileFailed", file);
        IReadOnlyList<HashSet<int>>? ids = SourceEvents.Count > 0 ? Terminating(() => reader.ResolveEvents(SourceEvents), "EventNotFound", file) : null;
        Terminating(() => Check((ids is null ? reader.AllFormats : reader.FormatsOf(ids)).ToList()), "FieldNotFound", file);
        var progress = new ProgressTimer(this, 1, $"{What} in {file}", showWhenLast: true);
        long n = 0;
        Terminating(() => reader.Visit(null, (in RecordRef r, EventFormat? f) =>
        {
            if (r.IsLost) { Visit(r, null); return; }
            if (f is null || (ids is not null && !ids[r.Source].Contains(f.Id))) return;
            Visit(r, f);
            if ((++n & 0xffff) == 0) progress.Update(() => $"{n:N0} events; {Progress(reader.CommandOf)}");
        }), "ReadTraceFileFailed", file);
        progress.Complete();
        Emit(reader.CommandOf, reader.Syscalls);
    }

    private void ReadSession(TraceSession session)
    {
        var events = session.ReadBuffer(null).ToList();
        var formats = events.OfType<TraceEvent>().Select(e => e.GetFormat()).Distinct().ToList();
        Terminating(() => Check(formats), "FieldNotFound", session.Name);
        foreach (var r in events)
        {
            if (r is TraceEvent e && (SourceEvents.Count == 0 || Matches(e))) Add(e);
            else if (r is TraceLostEvents l) AddLost(l.Count ?? 0);
        }
        Emit(session.Commands.Lookup, session.Factory.Syscalls);
    }

    private bool Matches(TraceEvent e) => SourceEvents.Any(p => EventSelector.Match([new EventName(e.EventSystem, e.EventName)], p).Any());

    /// <summary>The session a live measurement runs: the live parameters, with these events and filter.</summary>
    protected TraceSessionOptions LiveOptions(IReadOnlyList<string> events, string? filter, Func<TraceSession, IDisposable>? kernelSide = null)
    {
        var probes = Terminating(() => ProbeRequests.Resolve(ProbeItems(KProbe, UProbe), Tracefs), "ListProbesFailed", null);
        return new()
        {
            Events = events.Concat(probes.Existing).ToArray(), Filter = filter, ProcessIds = ProcessId ?? [], FollowChildren = FollowChildren,
            Instance = Instance, BufferSizeKB = BufferSizeKB,
            Command = ResolveCommand(Command), ArgumentList = ArgumentList, WorkingDirectory = CurrentDirectory, CommandOutputDiscarded = InRemoteSession,
            Duration = Duration, IncludeSelf = IncludeSelf,
            Probes = probes.Create,
            KernelSide = kernelSide,
        };
    }

    private void RunLive()
    {
        if (SourceEvents.Count == 0 && KProbe.Length + UProbe.Length == 0)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Name the events to trace (-Event), or read a file (-Path) or a session (-Session)."), "NoEvents", ErrorCategory.InvalidArgument, null));
        var options = LiveOptions(SourceEvents, Filter);
        if (!ShouldProcess(Instance ?? "a private instance", $"Trace {string.Join(", ", SourceEvents.Concat(ProbeItems(KProbe, UProbe).Select(p => $"probe '{p}'")))} and measure")) return;
        var session = Terminating(() => TraceSession.Start(options, Tracefs), "StartTraceFailed", null);
        var keys = new CtrlCAsInput(this);
        try
        {
            Terminating(() => Check(session.Events.Select(e => session.Catalog.GetByName(e.System, e.Name)).OfType<EventFormat>().ToList()), "FieldNotFound", null);
            var progress = new ProgressTimer(this, 1, $"{What} (Ctrl+C ends the trace and shows the result)", showWhenLast: true);
            foreach (var batch in session.Stream(PipelineStopToken, (in RecordRef r, EventFormat? f) => Visit(r, f)))
            {
                foreach (var rec in batch) if (rec is TraceLostEvents l) AddLost(l.Count ?? 0); // losses counted at the end (the visitor sees the others)
                if (keys.CtrlCPressed()) session.RequestStop();
                progress.Update(() => Progress(session.Commands.Lookup));
            }
            progress.Complete();
        }
        catch (TraceException e)
        {
            ThrowTerminatingError(ErrorFor(e, "TraceReadFailed", session.Name));
        }
        finally
        {
            EndLive(session, keys);
        }
        if (session.Interrupted) throw new PipelineStoppedException();
        Emit(session.Commands.Lookup, session.Factory.Syscalls);
    }

    /// <summary>Ends a live measurement's session on every exit path: console keys back, session stopped, cleanup
    /// problems said, and a termination signal that came meanwhile honoured.</summary>
    private protected void EndLive(TraceSession session, CtrlCAsInput keys)
    {
        keys.Dispose();
        var summary = session.Stop();
        foreach (var err in summary.CleanupErrors) if (!Stopping) WriteWarning($"Cleanup: {err}");
        ProcessEndHandling.WaitForSignalExit();
    }
}

/// <summary>
/// In an interactive console, Ctrl+C is read as a key while a live measurement runs (TreatControlCAsInput), so it ends
/// the trace and the result is still written; elsewhere (redirected input, a script) Ctrl+C stops the pipeline as usual.
/// </summary>
internal sealed class CtrlCAsInput : IDisposable
{
    private readonly bool _on, _previous;

    public CtrlCAsInput(PSCmdlet cmdlet)
    {
        try
        {
            if (Console.IsInputRedirected || cmdlet.Host.Name != "ConsoleHost") return;
            _previous = Console.TreatControlCAsInput;
            Console.TreatControlCAsInput = true;
            _on = true;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or PlatformNotSupportedException) { }
    }

    public bool CtrlCPressed()
    {
        if (!_on) return false;
        try
        {
            while (Console.KeyAvailable)
            {
                var k = Console.ReadKey(intercept: true);
                if (k.Key == ConsoleKey.C && (k.Modifiers & ConsoleModifiers.Control) != 0) return true;
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException) { }
        return false;
    }

    public void Dispose()
    {
        if (!_on) return;
        try { Console.TreatControlCAsInput = _previous; } catch (Exception e) when (e is IOException or InvalidOperationException) { }
    }
}
