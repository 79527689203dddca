using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Lists the tracers of an instance (available_tracers) and marks the current one.</summary>
[Cmdlet(VerbsCommon.Get, "AvailableTracer")]
[OutputType(typeof(AvailableTracer))]
public sealed class GetAvailableTracerCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(TracerCompleter))]
    public string[]? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        var tracers = Terminating(() => TraceListing.Tracers(inst).ToArray(), "ReadTracersFailed", inst.DisplayName);
        WriteMatching(tracers, t => t.Name, Name, "tracer", "TracerNotFound");
    }
}
