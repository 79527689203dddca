using LinuxTrace.Engine.Probes;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// Probes made for one trace (Start-Trace -KProbe / -UProbe): checked before anything changes, created once the
/// instance is taken (noted in the ledger of a private instance, so that a killed LinuxTrace's probes are found and
/// removed later), traced like any event, and removed when the session ends, however it ends.
/// </summary>
internal sealed class TraceProbes
{
    private readonly List<DynamicProbe> _created = new();

    private TraceProbes(IReadOnlyList<ProbeDefinition.Parts> planned) => Planned = planned;

    /// <summary>The definitions, parsed, user probes' symbols resolved to file offsets, kernel functions checked.</summary>
    public IReadOnlyList<ProbeDefinition.Parts> Planned { get; }

    /// <summary>Checks every definition: a typo is an error before the kernel is touched.</summary>
    public static TraceProbes Plan(TraceSessionOptions options, TraceFileSystem fs)
    {
        var plan = new List<ProbeDefinition.Parts>();
        foreach (var d in options.Probes)
        {
            var parts = UserProbeTarget.Normalize(ProbeDefinition.Split(d), options.WorkingDirectory);
            DynamicEvents.RequireKind(fs, parts);
            if (parts.Type is ProbeType.KProbe or ProbeType.KRetProbe) DynamicEvents.CheckKernelFunction(parts.Target);
            plan.Add(parts);
        }
        return new TraceProbes(plan);
    }

    /// <summary>Creates the planned probes; their events. <paramref name="ownedInstance"/>: the private instance whose
    /// ledger notes them (null for a borrowed one).</summary>
    public IReadOnlyList<EventName> Create(TraceFileSystem fs, string? ownedInstance)
    {
        var names = new List<EventName>();
        foreach (var parts in Planned)
        {
            var probe = DynamicEvents.Create(fs, parts);
            _created.Add(probe);
            if (ownedInstance is not null) ProbeLedger.Write(ownedInstance, _created);
            names.Add(new EventName(probe.Group, probe.Name));
        }
        return names;
    }

    /// <summary>Removes the probes made (after the session's events were switched off); failures are collected.</summary>
    public List<Exception> Remove(TraceFileSystem fs, string? ownedInstance)
    {
        var errors = new List<Exception>();
        foreach (var p in _created)
        {
            try { DynamicEvents.Remove(fs, p, force: true); }
            catch (TraceException e) when (e.ErrorId == "ProbeNotFound") { }
            catch (Exception e) { errors.Add(e); }
        }
        if (errors.Count == 0 && ownedInstance is not null) ProbeLedger.Delete(ownedInstance);
        _created.Clear();
        return errors;
    }
}
