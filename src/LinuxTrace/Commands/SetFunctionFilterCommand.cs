using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Limits the function tracers to some functions (set_ftrace_filter) or leaves some out (set_ftrace_notrace).
/// Globs as the kernel takes them; -Module limits them to a module. Every name is checked before anything is written.</summary>
[Cmdlet(VerbsCommon.Set, "FunctionFilter", SupportsShouldProcess = true)]
[OutputType(typeof(FunctionFilterSetting))]
public sealed class SetFunctionFilterCommand : SetFunctionListCommandBase
{
    /// <summary>Only functions of this module (written as name:mod:module; alone, every function of the module).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Module { get; set; }

    protected override (string File, string What) NamesFile => (FunctionFilters.FilterFile, "traced functions");
    protected override (string File, string What) NoTraceFile => (FunctionFilters.NoTraceFile, "untraced functions");
    protected override string TracerName => "the function tracer's filters";
    protected override (string NotAvailable, string Failed, string ReadFailed) ErrorIds => ("FunctionTracerNotAvailable", "SetFunctionFilterFailed", "GetFunctionFilterFailed");
    protected override object ReadSettings(TraceInstance instance) => FunctionFilters.GetFilter(instance);

    protected override void ProcessRecord()
    {
        string suffix = string.IsNullOrEmpty(Module) || Module == "kernel" ? "" : ":mod:" + Module;
        var names = (Name ?? []).Select(n => n + suffix).ToArray();
        if (names.Length == 0 && suffix.Length > 0) names = [suffix];
        var notrace = (NoTrace ?? []).Select(n => n + suffix).ToArray();
        if (names.Length == 0 && notrace.Length == 0)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Name the functions to trace (-Name) or to leave out (-NoTrace). Clear-FunctionFilter clears them."),
                "NothingToSet", ErrorCategory.InvalidArgument, null));
        Apply(names, notrace);
    }
}
