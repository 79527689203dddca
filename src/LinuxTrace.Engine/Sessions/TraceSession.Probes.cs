using LinuxTrace.Engine.Probes;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

// Probes made for one trace (Start-Trace -KProbe / -UProbe): checked before anything changes, created once the
// instance is taken, traced like any event, and removed when the session ends, however it ends.
public sealed partial class TraceSession
{
    /// <summary>The probes this session made for itself (removed when it ends).</summary>
    private readonly List<DynamicProbe> _createdProbes = new();


    /// <summary>Parses each definition, resolves user probes' symbols to file offsets and checks kernel functions: a
    /// typo is an error before the kernel is touched.</summary>
    private static List<ProbeDefinition.Parts> PlanProbes(TraceSessionOptions options, TraceFileSystem fs)
    {
        var plan = new List<ProbeDefinition.Parts>();
        foreach (var d in options.Probes)
        {
            var parts = UserProbeTarget.Normalize(ProbeDefinition.Split(d), options.WorkingDirectory);
            DynamicEvents.RequireKind(fs, parts);
            if (parts.Type is ProbeType.KProbe or ProbeType.KRetProbe) DynamicEvents.CheckKernelFunction(parts.Target);
            plan.Add(parts);
        }
        return plan;
    }

    private IEnumerable<EventName> CreateProbes(IReadOnlyList<ProbeDefinition.Parts> plan)
    {
        var names = new List<EventName>();
        foreach (var parts in plan)
        {
            var probe = DynamicEvents.Create(Tracefs, parts);
            _createdProbes.Add(probe);
            if (OwnsInstance) ProbeLedger.Write(Instance.Name, _createdProbes);
            names.Add(new EventName(probe.Group, probe.Name));
        }
        return names;
    }

    /// <summary>Removes the session's own probes (after its events were switched off); failures are collected.</summary>
    private List<Exception> RemoveProbes()
    {
        var errors = new List<Exception>();
        foreach (var p in _createdProbes)
        {
            try { DynamicEvents.Remove(Tracefs, p, force: true); }
            catch (TraceException e) when (e.ErrorId == "ProbeNotFound") { }
            catch (Exception e) { errors.Add(e); }
        }
        if (errors.Count == 0 && OwnsInstance && Instance is not null) ProbeLedger.Delete(Instance.Name);
        _createdProbes.Clear();
        return errors;
    }
}
