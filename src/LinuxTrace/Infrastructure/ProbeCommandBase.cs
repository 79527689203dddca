using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>What Get-KProbe/Get-UProbe and Remove-KProbe/Remove-UProbe share: the kernel's list, narrowed to one family.</summary>
public abstract class ProbeCommandBase : LinuxTraceCmdlet
{
    /// <summary>True for kprobes and kretprobes, false for uprobes and uretprobes.</summary>
    protected abstract bool Kernel { get; }

    protected string Family => Kernel ? "kernel probe" : "user probe";

    protected IReadOnlyList<DynamicProbe> Probes() =>
        Terminating(() => DynamicEvents.List(Tracefs), "ListProbesFailed", null).Where(p => Kernel ? p.IsKernel : p.IsUser).ToArray();

    /// <summary>Probes whose Name or group:name matches one of the patterns (all when none), within <paramref name="group"/> when given.</summary>
    protected static IEnumerable<DynamicProbe> Matching(IEnumerable<DynamicProbe> probes, string[]? names, string? group)
    {
        var match = Matcher(names);
        return probes.Where(p => (group is null || p.Group.Equals(group, StringComparison.OrdinalIgnoreCase)) && (match(p.Name) || match(p.EventName)));
    }
}
