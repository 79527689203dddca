using System.Management.Automation;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Limits the function tracers to some functions (set_ftrace_filter) or leaves some out (set_ftrace_notrace).
/// Globs as the kernel takes them; -Module limits them to a module. Every name is checked before anything is written.</summary>
[Cmdlet(VerbsCommon.Set, "FunctionFilter", SupportsShouldProcess = true)]
[OutputType(typeof(FunctionFilterSetting))]
public sealed class SetFunctionFilterCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Function")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FunctionCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Functions the tracers leave out.</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FunctionCompleter))]
    public string[]? NoTrace { get; set; }

    /// <summary>Only functions of this module (written as name:mod:module; alone, every function of the module).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Module { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    [Parameter]
    public SwitchParameter Append { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string suffix = string.IsNullOrEmpty(Module) || Module == "kernel" ? "" : ":mod:" + Module;
        var names = (Name ?? []).Select(n => n + suffix).ToArray();
        if (names.Length == 0 && suffix.Length > 0) names = [suffix];
        var notrace = (NoTrace ?? []).Select(n => n + suffix).ToArray();
        if (names.Length == 0 && notrace.Length == 0)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Name the functions to trace (-Name) or to leave out (-NoTrace). Clear-FunctionFilter clears them."),
                "NothingToSet", ErrorCategory.InvalidArgument, null));
        var inst = ResolveInstance(Instance);
        Terminating(() => FunctionFilters.RequireFile(inst, FunctionFilters.FilterFile, "the function tracer's filters"), "FunctionTracerNotAvailable", inst.DisplayName);
        Terminating(() => FunctionFilters.Validate(inst.Tracefs, names.Concat(notrace), () => EventFactory.LiveSymbols.Value), "FunctionNotFound", Name);
        string verb = Append ? "Add" : "Set";
        if (names.Length > 0 && ShouldProcess($"{FunctionFilters.FilterFile} of instance {inst.DisplayName}", $"{verb} traced functions {string.Join(", ", names)}"))
            Terminating(() => FunctionFilters.WriteList(inst, FunctionFilters.FilterFile, names, Append), "SetFunctionFilterFailed", inst.DisplayName);
        if (notrace.Length > 0 && ShouldProcess($"{FunctionFilters.NoTraceFile} of instance {inst.DisplayName}", $"{verb} untraced functions {string.Join(", ", notrace)}"))
            Terminating(() => FunctionFilters.WriteList(inst, FunctionFilters.NoTraceFile, notrace, Append), "SetFunctionFilterFailed", inst.DisplayName);
        if (PassThru) WriteObject(Terminating(() => FunctionFilters.GetFilter(inst), "GetFunctionFilterFailed", inst.DisplayName));
    }
}
