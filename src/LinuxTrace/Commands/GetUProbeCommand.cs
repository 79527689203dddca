using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Lists uprobes and uretprobes, ours or not, with hits and where they are enabled.</summary>
[Cmdlet(VerbsCommon.Get, "UProbe")]
[OutputType(typeof(DynamicProbe))]
public sealed class GetUProbeCommand : GetProbeCommand
{
    protected override bool Kernel => false;
}
