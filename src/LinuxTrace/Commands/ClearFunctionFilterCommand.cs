using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Empties set_ftrace_filter and set_ftrace_notrace: the function tracers trace every function again.</summary>
[Cmdlet(VerbsCommon.Clear, "FunctionFilter", SupportsShouldProcess = true)]
[OutputType(typeof(FunctionFilterSetting))]
public sealed class ClearFunctionFilterCommand : ClearFunctionListCommandBase
{
    protected override string Files => "set_ftrace_filter and set_ftrace_notrace";
    protected override (string NotAvailable, string Failed) ErrorIds => ("FunctionTracerNotAvailable", "ClearFunctionFilterFailed");
    protected override object ReadSettings(TraceInstance instance) => FunctionFilters.GetFilter(instance);
    protected override void Clear(TraceInstance instance) => FunctionFilters.ClearFilter(instance);
}
