using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Empties set_ftrace_filter and set_ftrace_notrace: the function tracers trace every function again.</summary>
[Cmdlet(VerbsCommon.Clear, "FunctionFilter", SupportsShouldProcess = true)]
[OutputType(typeof(FunctionFilterSetting))]
public sealed class ClearFunctionFilterCommand : LinuxTraceCmdlet
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
        Terminating(() => FunctionFilters.GetFilter(inst), "FunctionTracerNotAvailable", inst.DisplayName);
        if (!ShouldProcess($"instance {inst.DisplayName}", "Clear set_ftrace_filter and set_ftrace_notrace")) return;
        Terminating(() => FunctionFilters.ClearFilter(inst), "ClearFunctionFilterFailed", inst.DisplayName);
        if (PassThru) WriteObject(FunctionFilters.GetFilter(inst));
    }
}
