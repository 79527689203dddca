using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Turns trace options on (or off with -Disable) in an instance.</summary>
[Cmdlet(VerbsCommon.Set, "TraceOption", SupportsShouldProcess = true)]
[OutputType(typeof(TraceOptionState))]
public sealed class SetTraceOptionCommand : LinuxTraceCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(OptionCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>Turn the options off instead of on.</summary>
    [Parameter]
    public SwitchParameter Disable { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        bool on = !Disable.IsPresent;
        foreach (var n in Name)
        {
            if (!ShouldProcess($"option {n} of instance {inst.DisplayName}", on ? "Enable trace option" : "Disable trace option")) continue;
            if (!NonTerminating(() => inst.SetOption(n, on), "SetOptionFailed", n)) continue;
            if (PassThru) WriteObject(new TraceOptionState(n, inst.GetOption(n), inst.DisplayName));
        }
    }
}
