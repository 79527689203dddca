using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Lists trace instances (named ring buffers under instances/), optionally with the top one.</summary>
[Cmdlet(VerbsCommon.Get, "TraceInstance")]
[OutputType(typeof(TraceInstanceInfo))]
public sealed class GetTraceInstanceCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Include the top (global) instance.</summary>
    [Parameter]
    public SwitchParameter IncludeTop { get; set; }

    protected override void ProcessRecord()
    {
        var fs = Tracefs;
        var all = Terminating(() => fs.GetInstances(), "ReadInstancesFailed", null);
        var match = Matcher(Name);
        bool topAsked = Name?.Any(n => n.Equals("top", StringComparison.OrdinalIgnoreCase)) == true;
        if (IncludeTop || topAsked) WriteObject(TraceListing.Info(fs.Top));
        foreach (var i in all) if (match(i.Name)) WriteObject(TraceListing.Info(i));
        ReportUnmatched(Name?.Where(n => !n.Equals("top", StringComparison.OrdinalIgnoreCase)).ToArray(), all.Select(i => i.Name), "trace instance", "InstanceNotFound");
    }
}
