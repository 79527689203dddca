using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Lists the trace options of an instance and whether each is on.</summary>
[Cmdlet(VerbsCommon.Get, "TraceOption")]
[OutputType(typeof(TraceOptionState))]
public sealed class GetTraceOptionCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(OptionCompleter))]
    public string[]? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        var options = Terminating(() => inst.GetOptions(), "ReadOptionsFailed", inst.DisplayName);
        WriteMatching(options, o => o.Name, Name, "trace option", "OptionNotFound");
    }
}
