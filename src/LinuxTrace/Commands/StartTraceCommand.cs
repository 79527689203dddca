using System.Diagnostics;
using System.Management.Automation;
using LinuxTrace.Engine.Probes;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>
/// Traces kernel events in a private instance and streams them into the pipeline as typed objects
/// (or, with -AsSession, keeps recording and returns the session; with -Detached, leaves a named trace recording after
/// this process exits).
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "Trace", DefaultParameterSetName = StreamSet, SupportsShouldProcess = true)]
[OutputType(typeof(TraceEvent), typeof(TraceLostEvents), typeof(FunctionCall), typeof(FileInfo), ParameterSetName = [StreamSet])]
[OutputType(typeof(TraceSession), ParameterSetName = [SessionSet])]
[OutputType(typeof(DetachedTrace), ParameterSetName = [DetachedSet])]
[OutputType(typeof(FileInfo), ParameterSetName = [HostSet, PSSessionSet])]
[OutputType("Deserialized.LinuxTrace.TraceEvent", ParameterSetName = [HostSet, PSSessionSet])] // without -OutFile: the hosts' events as remoting delivers them
public sealed class StartTraceCommand : LinuxTraceCmdlet
{
    private const string StreamSet = "Stream", SessionSet = "Session", DetachedSet = "Detached", HostSet = "HostName", PSSessionSet = "PSSession";

    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EventCompleter))]
    public string[] Event { get; set; } = [];

    /// <summary>A tracer to run beside (or instead of) events: function, function_graph, … (Get-AvailableTracer).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(TracerCompleter))]
    public string? Tracer { get; set; }

    /// <summary>function_graph: the functions whose call graphs are traced (set_graph_function).</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FunctionCompleter))]
    public string[] GraphFunction { get; set; } = [];

    /// <summary>function and function_graph: only these functions (set_ftrace_filter; globs, name:mod:module).</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FunctionCompleter))]
    public string[] Function { get; set; } = [];

    /// <summary>Tracer options to turn on (funcgraph-proc, funcgraph-retval …), or off with a "no" prefix.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(OptionCompleter))]
    public string[] Option { get; set; } = [];

    /// <summary>function_graph: how deep the graph goes (max_graph_depth).</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int? MaxGraphDepth { get; set; }

    /// <summary>Allow a function tracer without any filter: every kernel function is traced.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>function_graph: stream the funcgraph_entry / funcgraph_exit records instead of paired FunctionCall objects.</summary>
    [Parameter(ParameterSetName = StreamSet)]
    public SwitchParameter Raw { get; set; }

    /// <summary>Kernel probes made for this trace only and removed at its end: definitions in the kernel's syntax
    /// ('p:myopen do_sys_openat2 filename=+0(%si):string', 'r:openret do_sys_openat2 ret=$retval:s32'), or probe objects.</summary>
    [Parameter]
    public object[] KProbe { get; set; } = [];

    /// <summary>User probes made for this trace only: 'p:rl bash:readline', 'r:pid libc:getpid ret=$retval:s32',
    /// '/path/prog:0x1139' (a program or library by name or path, and a symbol or file offset), or probe objects.</summary>
    [Parameter]
    public object[] UProbe { get; set; } = [];

    /// <summary>Record the kernel stack with every event (the instance's stacktrace option): each event's Stack property
    /// holds it, innermost function first. Export-TraceFlameGraph draws them.</summary>
    [Parameter]
    public SwitchParameter StackTrace { get; set; }

    /// <summary>Record the user-space stack with every event (the instance's userstacktrace option): each event's UserStack
    /// property holds it, innermost function first, named from the program's and libraries' ELF symbols. The kernel
    /// walks frame pointers, so programs built without them show one or two frames. With -OutFile, the traced
    /// processes' maps go into the file (as trace-cmd record --proc-map writes them).</summary>
    [Parameter]
    public SwitchParameter UserStackTrace { get; set; }

    /// <summary>Kernel event filter (events/.../filter syntax), applied in the kernel to every event.</summary>
    [Parameter]
    public string? Filter { get; set; }

    /// <summary>Event triggers (events/.../trigger syntax) added to every event of the trace for its length.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(TriggerCompleter))]
    public string[]? Trigger { get; set; }

    [Parameter]
    [Alias("Pid")]
    public int[]? ProcessId { get; set; }

    /// <summary>Also trace children that the traced processes fork.</summary>
    [Parameter]
    public SwitchParameter FollowChildren { get; set; }

    /// <summary>A program to start and trace (only it, and its children with -FollowChildren). Tracing ends when it exits.</summary>
    [Parameter]
    public string? Command { get; set; }

    [Parameter]
    [Alias("Args")]
    public string[] ArgumentList { get; set; } = [];

    [Parameter(ParameterSetName = StreamSet)]
    [Parameter(ParameterSetName = DetachedSet)] // refused there, with why
    [Parameter(ParameterSetName = HostSet)]
    [Parameter(ParameterSetName = PSSessionSet)]
    [Seconds]
    public TimeSpan? Duration { get; set; }

    /// <summary>Record into this instance instead of a private one (created if missing, then removed).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? BufferSizeKB { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ClockCompleter))]
    public string? Clock { get; set; }

    [Parameter(ParameterSetName = StreamSet)]
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(Mandatory = true, ParameterSetName = DetachedSet)]
    public string? Name { get; set; }

    /// <summary>Record raw pages to this trace.dat file instead of writing objects (the fast path); with -HostName or
    /// -Session, a folder that receives one file per host, HOST.dat (without it, the hosts' events stream here).</summary>
    [Parameter(ParameterSetName = StreamSet)]
    [Parameter(ParameterSetName = HostSet)]
    [Parameter(ParameterSetName = PSSessionSet)]
    public string? OutFile { get; set; }

    [Parameter(ParameterSetName = StreamSet)]
    [Parameter(ParameterSetName = HostSet)]
    [Parameter(ParameterSetName = PSSessionSet)]
    [ValidateSet("6", "7")]
    public string FileVersion { get; set; } = "7";

    [Parameter(ParameterSetName = StreamSet)]
    [Parameter(ParameterSetName = HostSet)]
    [Parameter(ParameterSetName = PSSessionSet)]
    [ValidateSet("none", "zstd", "zlib")]
    public string Compression { get; set; } = "none";

    /// <summary>With -OutFile: write the file's FileInfo when done (with hosts, one per host).</summary>
    [Parameter(ParameterSetName = StreamSet)]
    [Parameter(ParameterSetName = HostSet)]
    [Parameter(ParameterSetName = PSSessionSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Run the same trace on these hosts at once, over PowerShell SSH remoting; each host's file comes back to -OutFile (a folder) as HOST.dat.</summary>
    [Parameter(Mandatory = true, ParameterSetName = HostSet)]
    public string[]? HostName { get; set; }

    /// <summary>Run the same trace in these remote sessions at once (New-PSSession); each host's file comes back to -OutFile.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PSSessionSet)]
    public System.Management.Automation.Runspaces.PSSession[]? Session { get; set; }

    /// <summary>With -HostName: the user to connect as (root, for tracing).</summary>
    [Parameter(ParameterSetName = HostSet)]
    public string? UserName { get; set; }

    /// <summary>With -HostName: the SSH private key to authenticate with.</summary>
    [Parameter(ParameterSetName = HostSet)]
    public string? KeyFilePath { get; set; }

    /// <summary>With -HostName: the SSH port.</summary>
    [Parameter(ParameterSetName = HostSet)]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    /// <summary>With -HostName: SSH options, as New-PSSession -Options takes them (@{ StrictHostKeyChecking = 'yes' }).</summary>
    [Parameter(ParameterSetName = HostSet)]
    public System.Collections.Hashtable? Options { get; set; }

    /// <summary>With -HostName: SSH is the transport (the only one; accepted as New-PSSession accepts it).</summary>
    [Parameter(ParameterSetName = HostSet)]
    public SwitchParameter SSHTransport { get; set; }

    /// <summary>Copy this LinuxTrace to a host that does not have it (the same version), before tracing.</summary>
    [Parameter(ParameterSetName = HostSet)]
    [Parameter(ParameterSetName = PSSessionSet)]
    public SwitchParameter DeployModule { get; set; }

    /// <summary>With -OutFile: store the wall-clock offset in the file (the DATE option, as trace-cmd record --date).</summary>
    [Parameter(ParameterSetName = StreamSet)]
    public SwitchParameter WallClock { get; set; }

    /// <summary>Return a TraceSession at once and keep recording into the kernel buffer.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    public SwitchParameter AsSession { get; set; }

    /// <summary>Leave the trace recording after this process exits, named -Name: Get-TraceSession lists it in any process,
    /// Stop-Trace -Name stops it (with -OutFile, its buffer is written first), Get-TraceEvent -Name reads it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DetachedSet)]
    public SwitchParameter Detached { get; set; }

    /// <summary>Also record this PowerShell process's own threads (left out by default).</summary>
    [Parameter]
    public SwitchParameter IncludeSelf { get; set; }

    /// <summary>Memory (MB) the queue between the kernel readers and a slower pipeline may hold; past it, events are
    /// dropped and reported, never waited for (waiting would make the kernel lose them instead).</summary>
    [Parameter(ParameterSetName = StreamSet)]
    [ValidateRange(1, 1 << 20)]
    public long? QueueLimitMB { get; set; }

    /// <summary>Run the per-CPU readers at real-time priority (SCHED_FIFO), for heavy loads on busy machines.</summary>
    [Parameter]
    public SwitchParameter RealTimeDrainers { get; set; }

    /// <summary>Stores the session's summary (events, losses, drops, queue peak, CPU split) in this variable when the
    /// trace ends, however it ends.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SummaryVariable { get; set; }

    /// <summary>The Start-Trace parameters each host's trace gets as they were given here.</summary>
    private static readonly string[] HostParameters =
    [
        nameof(Event), nameof(Tracer), nameof(GraphFunction), nameof(Function), nameof(Option), nameof(MaxGraphDepth), nameof(Force),
        nameof(KProbe), nameof(UProbe), nameof(StackTrace), nameof(UserStackTrace), nameof(Filter), nameof(Trigger), nameof(ProcessId),
        nameof(FollowChildren), nameof(Command), nameof(ArgumentList), nameof(Duration), nameof(BufferSizeKB), nameof(Clock),
        nameof(FileVersion), nameof(Compression), nameof(IncludeSelf), nameof(RealTimeDrainers),
    ];

    private FleetTrace? _fleet;

    protected override void StopProcessing() => _fleet?.Stop();

    /// <summary>The same trace on every host at once (<see cref="FleetTrace"/>); the files come back to the -OutFile folder.</summary>
    private void TraceHosts()
    {
        string? folder = OutFile is null ? null : GetUnresolvedProviderPathFromPSPath(OutFile);
        var names = HostName ?? Session!.Select(s => s.ComputerName).ToArray();
        if (!ShouldProcess(string.Join(", ", names), $"Trace {string.Join(", ", Event)} on each host, {(folder is null ? "streaming the events here" : $"into {folder}/HOST.dat")}")) return;
        var parameters = new System.Collections.Hashtable();
        foreach (var name in HostParameters)
        {
            if (!MyInvocation.BoundParameters.TryGetValue(name, out var value)) continue;
            parameters[name] = value is SwitchParameter sw ? sw.IsPresent : value;
        }
        if (folder is not null && !parameters.ContainsKey(nameof(Compression))) parameters[nameof(Compression)] = "zstd"; // files travel
        using var fleet = new FleetTrace(MyInvocation.MyCommand.Module!);
        _fleet = fleet;
        if (HostName is not null) fleet.Connect(HostName, UserName, KeyFilePath, Port, Options, TimeSpan.FromSeconds(30));
        else fleet.Use(Session!);
        fleet.CheckModule(DeployModule);
        IReadOnlyList<string> files = [];
        if (folder is null) fleet.Stream(parameters, WriteObject);
        else files = fleet.Record(parameters, folder);
        _fleet = null;
        foreach (var w in fleet.Warnings) WriteWarning(w);
        foreach (var e in fleet.Errors) WriteError(e);
        SetExitCode(fleet.ExitCode(names));
        if (PassThru) foreach (var f in files) WriteObject(new FileInfo(f));
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName is HostSet or PSSessionSet)
        {
            TraceHosts();
            return;
        }
        var fs = Tracefs;
        string target = Instance ?? "a private instance";
        string what = string.Join(", ", (Tracer is null ? [] : new[] { $"the {Tracer} tracer" + (GraphFunction.Length + Function.Length > 0 ? " on " + string.Join(", ", GraphFunction.Concat(Function)) : "") })
            .Concat(Event).Concat(ProbeItems(KProbe, UProbe).Select(p => $"probe '{p}'")));
        if (!ShouldProcess(target, $"Trace {what}{(Filter is null ? "" : $" where {Filter}")}")) return;

        var probes = Terminating(() => ProbeRequests.Resolve(ProbeItems(KProbe, UProbe), fs), "ListProbesFailed", null);
        var options = new TraceSessionOptions
        {
            Events = Event.Concat(probes.Existing).ToArray(), Probes = probes.Create, Filter = Filter, ProcessIds = ProcessId ?? [], FollowChildren = FollowChildren,
            Instance = Instance, BufferSizeKB = BufferSizeKB, Clock = Clock, Name = Name, IncludeSelf = IncludeSelf,
            Command = ResolveCommand(Command), ArgumentList = ArgumentList, WorkingDirectory = CurrentDirectory, CommandOutputDiscarded = InRemoteSession,
            Duration = Duration, QueueLimitMB = QueueLimitMB,
            DrainerPriority = RealTimeDrainers ? DrainerPriority.RealTime : DrainerPriority.High,
            Tracer = Tracer, GraphFunctions = GraphFunction, Functions = Function, TracerOptions = Option, MaxGraphDepth = MaxGraphDepth,
            AllFunctions = Force, StackTrace = StackTrace, UserStackTrace = UserStackTrace, Triggers = Trigger ?? [],
            Detached = Detached,
        };
        TraceSession session;
        try
        {
            session = TraceSession.Start(options, fs);
        }
        catch (TraceException e)
        {
            SetExitCode(ExitCodeOf(e));
            ThrowTerminatingError(ErrorFor(e, Command is null ? "StartTraceFailed" : "StartCommandFailed", target));
            throw;
        }
        if (session.TracesAllFunctions)
            WriteWarning($"The {Tracer} tracer has no function filter: it traces every kernel function, every call in the kernel pays for it, and events are lost when the buffers fill.");
        foreach (var orphan in session.RemovedOrphans)
            WriteWarning($"Removed the instance {orphan}, left behind by a LinuxTrace process that no longer runs.");
        bool keep = false;
        try
        {
            if (AsSession || Detached)
            {
                if (Detached) WriteObject(Terminating(session.Detach, "StartTraceFailed", target));
                else
                {
                    Terminating(session.StartRecording, "StartTraceFailed", target);
                    WriteObject(session);
                }
                SetExitCode(TraceExitCode.Success);
                keep = true;
                return;
            }
            if (OutFile is not null) Record(session, what);
            else Stream(session, what);
        }
        finally
        {
            if (!keep) End(session);
            ProcessEndHandling.WaitForSignalExit(); // SIGTERM/SIGHUP: the signal's thread exits the process with 128 + it
        }
        // SIGINT ended the trace as Ctrl+C does: stop the pipeline (and the script) as Ctrl+C would
        if (session.Interrupted) throw new PipelineStoppedException();
    }

    /// <summary>Stops the session and says what the user should know: cleanup failures, losses, drops, an empty trace.</summary>
    private void End(TraceSession session)
    {
        var summary = session.Stop();
        if (SummaryVariable is not null) SessionState.PSVariable.Set(SummaryVariable, summary);
        // a trace that did not run to its end (an error on the way) failed, whatever it recorded
        SetExitCode(_ranToEnd ? ExitCodeOf(summary, !_emptyTrace) : TraceExitCode.Failed);
        if (Stopping) return; // the pipeline is stopping: nothing more may be written
        foreach (var err in summary.CleanupErrors) WriteWarning($"Cleanup: {err}");
        if (_emptyTrace)
        {
            var reasons = session.ExplainEmpty(summary.CpuStats);
            WriteWarning(reasons.Count == 0
                ? "The trace recorded no events."
                : "The trace recorded no events. " + string.Join(" ", reasons.Select(r => "Perhaps " + r + ".")));
        }
        if (summary.KernelLost > 0)
            WriteWarning($"{summary.KernelLost} events were lost to ring-buffer overrun in the kernel ({summary.LossReports} loss reports in the stream). A bigger -BufferSizeKB, a kernel -Filter or fewer events helps.");
        if (summary.DroppedByLinuxTrace > 0)
            WriteWarning($"{summary.DroppedByLinuxTrace} events were dropped by LinuxTrace: the pipeline was slower than the kernel and the queue reached its limit of {summary.QueueLimitBytes >> 20} MB. A bigger -QueueLimitMB, a kernel -Filter, or -OutFile (no objects) helps.");
    }

    private bool _emptyTrace, _ranToEnd;

    private void Record(TraceSession session, string what)
    {
        string path = GetUnresolvedProviderPathFromPSPath(OutFile!);
        var clock = Stopwatch.StartNew();
        var progress = new ProgressTimer(this, 1, $"Recording {what} to {path}", showWhenLast: true);
        Terminating(() => session.Record(path, int.Parse(FileVersion, System.Globalization.CultureInfo.InvariantCulture), Compression, PipelineStopToken,
            pages => progress.Update(() => $"{pages:N0} pages, {clock.Elapsed:mm\\:ss}"), WallClock), "RecordFailed", path);
        progress.Complete();
        _emptyTrace = session.RecordedEvents == 0;
        _ranToEnd = true;
        if (PassThru && !session.Interrupted) WriteFile(path);
    }

    private void Stream(TraceSession session, string what)
    {
        var clock = Stopwatch.StartNew();
        var progress = new ProgressTimer(this, 1, $"Tracing {what}", showWhenLast: false);
        long count = 0, events = 0;
        bool warnedDrops = false;
        try
        {
            var batches = session.Tracer == "function_graph" && !Raw ? session.StreamCalls(PipelineStopToken) : session.Stream(PipelineStopToken);
            foreach (var batch in batches)
            {
                WriteObject(batch, enumerateCollection: true);
                count += batch.Count;
                foreach (var r in batch) if (r is TraceEvent or FunctionCall) events++;
                if (!warnedDrops && session.DroppedByLinuxTrace > 0)
                {
                    warnedDrops = true;
                    WriteWarning($"The pipeline is slower than the kernel and LinuxTrace's queue reached its limit of {session.QueueLimitBytes >> 20} MB: events are being dropped (reported in the stream as TraceLostEvents with Reason '{TraceLostEvents.ReaderQueueFull}').");
                }
                progress.Update(() => $"{count:N0} events, {count / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0}/s, {session.LostEventCount:N0} lost, {session.QueuedBytes >> 20} MB queued");
            }
        }
        catch (TraceException e)
        {
            ThrowTerminatingError(ErrorFor(e, "TraceReadFailed", session.Name));
        }
        finally
        {
            progress.Complete();
        }
        _emptyTrace = events == 0;
        _ranToEnd = true;
    }
}
