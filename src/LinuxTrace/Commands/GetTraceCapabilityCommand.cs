using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Shows which tracing features this kernel allows, and why not where it does not.</summary>
[Cmdlet(VerbsCommon.Get, "TraceCapability")]
[OutputType(typeof(TraceFeature))]
public sealed class GetTraceCapabilityCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        WriteMatching(Tracefs.Capabilities.Features, f => f.Name, Name, "tracing feature", "FeatureNotFound");
    }
}
