using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Removes kprobes and kretprobes; one that a trace has enabled is refused unless -Force.</summary>
[Cmdlet(VerbsCommon.Remove, "KProbe", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveKProbeCommand : RemoveProbeCommand
{
    protected override bool Kernel => true;
}
