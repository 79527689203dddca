using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Reads the function_graph tracer's filters: set_graph_function, set_graph_notrace and max_graph_depth.</summary>
[Cmdlet(VerbsCommon.Get, "GraphFunction")]
[OutputType(typeof(GraphFunctionSetting))]
public sealed class GetGraphFunctionCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        WriteObject(Terminating(() => FunctionFilters.GetGraph(inst), "GetGraphFunctionFailed", inst.DisplayName));
    }
}
