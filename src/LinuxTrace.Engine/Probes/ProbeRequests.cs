using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Probes;

/// <summary>What a trace's -KProbe and -UProbe name: definitions to create for the trace (text, or a probe object that
/// no longer exists), and probes that exist already (traced as they are, left alone at the end).</summary>
public sealed record ProbeRequests(IReadOnlyList<string> Create, IReadOnlyList<string> Existing)
{
    /// <summary>Sorts <paramref name="items"/> (definitions in the kernel's syntax, or <see cref="DynamicProbe"/> objects
    /// from Get-KProbe/Get-UProbe): a text is a definition to create ('do_sys_openat2 …' gets the entry kind 'p');
    /// a probe object names an existing probe's event, or is made again from its definition when it is gone.</summary>
    public static ProbeRequests Resolve(IEnumerable<object?> items, TraceFileSystem fs)
    {
        var create = new List<string>();
        var existing = new List<string>();
        IReadOnlyList<DynamicProbe>? current = null;
        foreach (var v in items)
        {
            if (v is DynamicProbe p)
            {
                current ??= DynamicEvents.List(fs);
                if (current.Any(c => c.Group == p.Group && c.Name == p.Name)) existing.Add(p.EventName);
                else create.Add(p.Definition);
            }
            else if (v?.ToString() is { Length: > 0 } text) create.Add(ProbeDefinition.WithKind(text));
        }
        return new ProbeRequests(create, existing);
    }
}
