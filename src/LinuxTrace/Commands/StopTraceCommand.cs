using System.Management.Automation;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>
/// Ends trace sessions of this process (Start-Trace -AsSession) and detached traces of any process (Start-Trace -Detached),
/// restoring the kernel's state; with -OutFile, the trace's buffer is written to a trace.dat file first.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "Trace", SupportsShouldProcess = true, DefaultParameterSetName = SessionSet)]
[OutputType(typeof(TraceSessionSummary))]
public sealed class StopTraceCommand : LinuxTraceCmdlet
{
    private const string SessionSet = "Session", NameSet = "Name";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SessionSet)]
    public TraceSession[] Session { get; set; } = [];

    /// <summary>Names of this process's sessions or of detached traces (wildcards allowed); Stop-Trace NAME binds it.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SessionCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>Write what the trace's buffer holds to this trace.dat file before it is stopped (one trace only).</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>With -OutFile: store the trace clock's offset to the wall clock in the file (DATE), measured as it is written.</summary>
    [Parameter]
    public SwitchParameter WallClock { get; set; }

    /// <summary>Return the session's summary: events, losses per CPU, duration.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private int _stopped;
    private TraceExitCode _exit;

    protected override void ProcessRecord()
    {
        var sessions = ParameterSetName == SessionSet ? Session : TraceSession.GetActive().Where(s => Matcher(Name)(s.Name)).ToArray();
        var detached = ParameterSetName == SessionSet ? [] : DetachedTrace.GetAll(Tracefs).Where(t => Matcher(Name)(t.Name)).ToArray();
        if (ParameterSetName == NameSet)
            ReportUnmatched(Name, TraceSession.GetActive().Select(s => s.Name).Concat(DetachedTrace.GetAll(Tracefs).Select(t => t.Name)), "trace session or detached trace", "SessionNotFound");
        string? outPath = OutFile is null ? null : GetUnresolvedProviderPathFromPSPath(OutFile);
        if (outPath is not null && _stopped + sessions.Length + detached.Length > 1)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-OutFile takes the buffer of one trace; {string.Join(", ", sessions.Select(s => s.Name).Concat(detached.Select(t => t.Name)))} match."),
                "OutFileForSeveral", ErrorCategory.InvalidArgument, OutFile));
        }
        foreach (var s in sessions)
        {
            if (!ShouldProcess($"trace session {s.Name} (instance {s.InstanceName})", outPath is null ? "Stop" : $"Write its buffer to {outPath} and stop")) continue;
            if (outPath is not null && s.State == TraceSessionState.Running)
                NonTerminating(() => s.ExportBuffer(outPath, 7, "none", WallClock), "ExportFailed", outPath);
            var summary = s.Stop();
            Report(summary, summary.EventCount > 0 || summary.CpuStats.Sum(c => c.Entries + c.ReadEvents) > 0,
                "A session recording in the background keeps only what its buffer holds: read it while it runs (Get-TraceEvent -Session), give it a bigger -BufferSizeKB, or record to a file (-OutFile).");
        }
        foreach (var t in detached)
        {
            if (!ShouldProcess($"detached trace {t.Name} (instance {t.InstanceName})", outPath is null ? "Stop" : $"Write its buffer to {outPath} and stop")) continue;
            try
            {
                var summary = t.Stop(outPath, wallClock: WallClock);
                Report(summary, summary.EventCount > 0,
                    "A detached trace keeps its newest events in the kernel's buffer: give it a bigger -BufferSizeKB, a kernel -Filter, or fewer events.");
            }
            catch (TraceException e)
            {
                _exit = (TraceExitCode)Math.Max((int)_exit, (int)ExitCodeOf(e));
                SetExitCode(_exit);
                WriteError(ErrorFor(e, "StopTraceFailed", t.Name));
            }
        }
    }

    /// <summary>Warnings for what the user should know (cleanup failures, losses), the exit code, the summary with -PassThru.</summary>
    private void Report(TraceSessionSummary summary, bool recordedAny, string lossHint)
    {
        _stopped++;
        foreach (var e in summary.CleanupErrors) WriteWarning($"Cleanup of {summary.Name}: {e}");
        // losses are never silent, also for a trace nobody read while it recorded
        if (summary.KernelLost > 0)
            WriteWarning($"{summary.Name}: the kernel lost {summary.KernelLost} events to ring-buffer overrun. {lossHint}");
        if (summary.DroppedByLinuxTrace > 0)
            WriteWarning($"{summary.Name}: LinuxTrace dropped {summary.DroppedByLinuxTrace} events: its queue to a slower pipeline reached its limit.");
        // with several traces, the highest code
        _exit = (TraceExitCode)Math.Max((int)_exit, (int)ExitCodeOf(summary, recordedAny));
        SetExitCode(_exit);
        if (PassThru) WriteObject(summary);
    }
}
