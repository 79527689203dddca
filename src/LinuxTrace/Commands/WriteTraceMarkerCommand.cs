using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>
/// Writes a marker (an ftrace:print record, what "echo text > trace_marker" writes) into a session's instance, a
/// named instance, or the top-level buffer, so that a runbook can annotate a trace. Traces that asked for
/// ftrace:print show it; trace.dat files keep it, and trace-cmd report prints it.
/// </summary>
[Cmdlet(VerbsCommunications.Write, "TraceMarker", SupportsShouldProcess = true, DefaultParameterSetName = InstanceSet)]
[OutputType(typeof(void))]
public sealed class WriteTraceMarkerCommand : LinuxTraceCmdlet
{
    private const string SessionSet = "Session", InstanceSet = "Instance";

    /// <summary>The marker's text (one marker per string).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowEmptyString]
    public string[] Message { get; set; } = [];

    /// <summary>Write into this session's instance.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    public TraceSession? Session { get; set; }

    /// <summary>Write into this instance; the top-level buffer when omitted (whose markers instances that trace
    /// ftrace:print copy on kernels with copy_trace_marker).</summary>
    [Parameter(ParameterSetName = InstanceSet)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    protected override void ProcessRecord()
    {
        TraceInstance target;
        if (Session is not null)
        {
            if (Session.State != TraceSessionState.Running)
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"Session '{Session.Name}' has stopped."), "SessionStopped", ErrorCategory.InvalidOperation, Session));
                return;
            }
            target = Session.Instance;
        }
        else target = ResolveInstance(Instance);
        foreach (var m in Message)
        {
            if (!ShouldProcess($"trace_marker of instance '{target.DisplayName}'", $"Write marker '{m}'")) continue;
            NonTerminating(() => target.WriteMarker(m), "WriteMarkerFailed", m);
        }
    }
}
