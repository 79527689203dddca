using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Empties set_graph_function and set_graph_notrace and lifts the depth limit (max_graph_depth 0).</summary>
[Cmdlet(VerbsCommon.Clear, "GraphFunction", SupportsShouldProcess = true)]
[OutputType(typeof(GraphFunctionSetting))]
public sealed class ClearGraphFunctionCommand : ClearFunctionListCommandBase
{
    protected override string Files => "set_graph_function, set_graph_notrace and max_graph_depth";
    protected override (string NotAvailable, string Failed) ErrorIds => ("GraphTracerNotAvailable", "ClearGraphFunctionFailed");
    protected override object ReadSettings(TraceInstance instance) => FunctionFilters.GetGraph(instance);
    protected override void Clear(TraceInstance instance) => FunctionFilters.ClearGraph(instance);
}
