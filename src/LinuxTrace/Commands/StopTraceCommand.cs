using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Ends trace sessions started with Start-Trace -AsSession and restores the kernel's state.</summary>
[Cmdlet(VerbsLifecycle.Stop, "Trace", SupportsShouldProcess = true, DefaultParameterSetName = SessionSet)]
[OutputType(typeof(TraceSessionSummary))]
public sealed class StopTraceCommand : LinuxTraceCmdlet
{
    private const string SessionSet = "Session", NameSet = "Name";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SessionSet)]
    public TraceSession[] Session { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SessionCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>Return the session's summary: events, losses per CPU, duration.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        IEnumerable<TraceSession> targets = ParameterSetName == SessionSet
            ? Session
            : TraceSession.GetActive().Where(s => Matcher(Name)(s.Name));
        if (ParameterSetName == NameSet) ReportUnmatched(Name, TraceSession.GetActive().Select(s => s.Name), "running trace session", "SessionNotFound");
        foreach (var s in targets)
        {
            if (!ShouldProcess($"trace session {s.Name} (instance {s.InstanceName})", "Stop")) continue;
            var summary = s.Stop();
            foreach (var e in summary.CleanupErrors) WriteWarning($"Cleanup of {s.Name}: {e}");
            // losses are never silent, also for a session nobody read while it recorded
            if (summary.KernelLost > 0)
                WriteWarning($"{s.Name}: the kernel lost {summary.KernelLost} events to ring-buffer overrun. A session recording in the background keeps only what its buffer holds: read it while it runs (Get-TraceEvent -Session), give it a bigger -BufferSizeKB, or record to a file (-OutFile).");
            if (summary.DroppedByLinuxTrace > 0)
                WriteWarning($"{s.Name}: LinuxTrace dropped {summary.DroppedByLinuxTrace} events: its queue to a slower pipeline reached its limit.");
            if (PassThru) WriteObject(summary);
        }
    }
}
