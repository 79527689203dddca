using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Empties set_graph_function and set_graph_notrace and lifts the depth limit (max_graph_depth 0).</summary>
[Cmdlet(VerbsCommon.Clear, "GraphFunction", SupportsShouldProcess = true)]
[OutputType(typeof(GraphFunctionSetting))]
public sealed class ClearGraphFunctionCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        // read first: a kernel without the files, or a host that refuses them (EPERM), says so before -WhatIf's "what if"
        Terminating(() => FunctionFilters.GetGraph(inst), "GraphTracerNotAvailable", inst.DisplayName);
        if (!ShouldProcess($"instance {inst.DisplayName}", "Clear set_graph_function, set_graph_notrace and max_graph_depth")) return;
        Terminating(() => FunctionFilters.ClearGraph(inst), "ClearGraphFunctionFailed", inst.DisplayName);
        if (PassThru) WriteObject(FunctionFilters.GetGraph(inst));
    }
}
