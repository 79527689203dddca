using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Sets the roots of the function_graph tracer (set_graph_function), the functions it leaves out
/// (set_graph_notrace) and its depth limit (max_graph_depth). Every name is checked before anything is written.</summary>
[Cmdlet(VerbsCommon.Set, "GraphFunction", SupportsShouldProcess = true)]
[OutputType(typeof(GraphFunctionSetting))]
public sealed class SetGraphFunctionCommand : SetFunctionListCommandBase
{
    /// <summary>How deep the graph goes below each root (0: no limit).</summary>
    [Parameter]
    [ValidateRange(0, 1000)]
    public int? MaxDepth { get; set; }

    protected override (string File, string What) NamesFile => (FunctionFilters.GraphFunctionFile, "graph roots");
    protected override (string File, string What) NoTraceFile => (FunctionFilters.GraphNoTraceFile, "graph exclusions");
    protected override string TracerName => "the function_graph tracer";
    protected override (string NotAvailable, string Failed, string ReadFailed) ErrorIds => ("GraphTracerNotAvailable", "SetGraphFunctionFailed", "GetGraphFunctionFailed");
    protected override object ReadSettings(TraceInstance instance) => FunctionFilters.GetGraph(instance);

    protected override void ProcessRecord()
    {
        if (Name is not { Length: > 0 } && NoTrace is not { Length: > 0 } && MaxDepth is null)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Name the graph's root functions (-Name), the functions to leave out (-NoTrace), or a depth (-MaxDepth). Clear-GraphFunction clears them."),
                "NothingToSet", ErrorCategory.InvalidArgument, null));
        Apply(Name ?? [], NoTrace ?? [], MaxDepth is not { } d ? null : inst =>
        {
            if (ShouldProcess($"{FunctionFilters.MaxGraphDepthFile} of instance {inst.DisplayName}", $"Set the graph depth limit to {d}"))
                FunctionFilters.SetMaxGraphDepth(inst, d);
        });
    }
}
