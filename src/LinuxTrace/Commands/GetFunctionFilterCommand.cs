using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Reads the function tracers' filters: set_ftrace_filter and set_ftrace_notrace.</summary>
[Cmdlet(VerbsCommon.Get, "FunctionFilter")]
[OutputType(typeof(FunctionFilterSetting))]
public sealed class GetFunctionFilterCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        WriteObject(Terminating(() => FunctionFilters.GetFilter(inst), "GetFunctionFilterFailed", inst.DisplayName));
    }
}
