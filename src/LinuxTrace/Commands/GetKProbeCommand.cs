using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Lists kprobes and kretprobes, ours or not, with hits, misses and where they are enabled.</summary>
[Cmdlet(VerbsCommon.Get, "KProbe")]
[OutputType(typeof(DynamicProbe))]
public sealed class GetKProbeCommand : GetProbeCommand
{
    protected override bool Kernel => true;
}
