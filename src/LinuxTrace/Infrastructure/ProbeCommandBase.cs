using System.Management.Automation;
using LinuxTrace.Engine.Probes;
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

public abstract class GetProbeCommand : ProbeCommandBase
{
    /// <summary>Probe names or group:name (wildcards).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ProbeNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Group { get; set; }

    protected override void ProcessRecord()
    {
        var all = Probes();
        var hits = Matching(all, Name, Group).ToArray();
        foreach (var p in hits) WriteObject(p);
        ReportUnmatched(Name, hits.Select(p => p.Name).Concat(hits.Select(p => p.EventName)), Family, "ProbeNotFound", all.Select(p => p.Name));
    }
}

public abstract class RemoveProbeCommand : ProbeCommandBase
{
    /// <summary>Probe names or group:name (wildcards); from Get-KProbe / Get-UProbe by property name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ProbeNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Group { get; set; }

    /// <summary>Disable the probe wherever it is enabled (ending what those traces see of it), then remove it.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var all = Probes();
        var targets = Matching(all, Name, Group).ToArray();
        ReportUnmatched(Name, targets.Select(p => p.Name).Concat(targets.Select(p => p.EventName)), Family, "ProbeNotFound", all.Select(p => p.Name));
        foreach (var p in targets)
        {
            string action = p.IsEnabled && Force ? $"Disable (in {string.Join(", ", p.EnabledIn)}) and remove" : "Remove";
            if (!ShouldProcess($"{Family} {p.EventName} ({p.Definition})", action)) continue;
            NonTerminating(() => DynamicEvents.Remove(Tracefs, p, Force), "RemoveProbeFailed", p);
        }
    }
}
