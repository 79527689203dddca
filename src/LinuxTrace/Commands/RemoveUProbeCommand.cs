using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Removes uprobes and uretprobes; one that a trace has enabled is refused unless -Force.</summary>
[Cmdlet(VerbsCommon.Remove, "UProbe", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveUProbeCommand : RemoveProbeCommand
{
    protected override bool Kernel => false;
}
