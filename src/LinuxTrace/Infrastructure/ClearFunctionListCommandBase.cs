using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>What Clear-FunctionFilter and Clear-GraphFunction share: read the settings first (a kernel without the
/// files, or a host that refuses them with EPERM, says so before -WhatIf's "what if"), then clear them.</summary>
public abstract class ClearFunctionListCommandBase : LinuxTraceCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>What is cleared, as ShouldProcess says it ("set_graph_function, set_graph_notrace and max_graph_depth").</summary>
    protected abstract string Files { get; }

    /// <summary>The error ids: the tracer's files missing or refused; clearing failing.</summary>
    protected abstract (string NotAvailable, string Failed) ErrorIds { get; }

    protected abstract object ReadSettings(TraceInstance instance);

    protected abstract void Clear(TraceInstance instance);

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        Terminating(() => ReadSettings(inst), ErrorIds.NotAvailable, inst.DisplayName);
        if (!ShouldProcess($"instance {inst.DisplayName}", $"Clear {Files}")) return;
        Terminating(() => Clear(inst), ErrorIds.Failed, inst.DisplayName);
        if (PassThru) WriteObject(ReadSettings(inst));
    }
}
