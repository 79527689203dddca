using System.Security;

namespace LinuxTrace.Engine.Aggregation;

/// <summary>Turns events with stacks and function calls into flame-graph samples.</summary>
public sealed class FlameGraphSamples
{
    private readonly FlameGraph _graph;
    private readonly bool _processRoot;
    private readonly Dictionary<long, (IReadOnlyList<string> Frames, ulong Ts)> _offCpu = new();

    public FlameGraphSamples(FlameGraph graph, bool processRoot)
    {
        _graph = graph;
        _processRoot = processRoot;
    }

    /// <summary>Events that had no stack (the trace was not recorded with -StackTrace).</summary>
    public long WithoutStack { get; private set; }

    /// <summary>An event's stack, weighted by <paramref name="weight"/>; false when it has none.</summary>
    public bool AddEvent(TraceEvent e, long weight)
    {
        if (e.Stack is not { Count: > 0 } && e.UserStack is not { Count: > 0 }) { WithoutStack++; return false; }
        _graph.Add(Frames(e, e.ProcessName), weight);
        return true;
    }

    /// <summary>
    /// Off-CPU time: a sched_switch's stack is where its task (prev_pid) stopped running; the sample is weighted by the
    /// time until a later sched_switch runs that task again (next_pid). Events come in time order.
    /// </summary>
    public void AddOffCpu(TraceEvent e)
    {
        var f = e.GetFormat();
        if (f.GetField("prev_pid") is null || f.GetField("next_pid") is null) return;
        var raw = e.GetRawData();
        long next = Events.FieldDecoder.ReadInteger(raw, f.GetField("next_pid")!), prev = Events.FieldDecoder.ReadInteger(raw, f.GetField("prev_pid")!);
        if (_offCpu.Remove(next, out var off) && e.TimestampNs > off.Ts) _graph.Add(off.Frames, (long)(e.TimestampNs - off.Ts));
        if ((e.Stack is { Count: > 0 } || e.UserStack is { Count: > 0 }) && prev != 0) _offCpu[prev] = (Frames(e, e.GetFieldValue("prev_comm") as string ?? e.ProcessName), e.TimestampNs);
        else if (e.Stack is null && e.UserStack is null) WithoutStack++;
    }

    /// <summary>A function call from function_graph tracing, weighted by its self time (its duration less its children's).</summary>
    public void AddCall(FunctionCall c)
    {
        long self = (long)c.DurationNs;
        foreach (var child in c.Children) self -= (long)child.DurationNs;
        if (self <= 0) return;
        var chain = new List<string>();
        for (var x = c; x is not null; x = x.GetParent()) chain.Add(x.Function);
        if (_processRoot) chain.Add(c.Command);
        chain.Reverse();
        _graph.Add(chain, self);
    }

    /// <summary>Root first: the process, its user stack (outermost first), then its kernel stack.</summary>
    private IReadOnlyList<string> Frames(TraceEvent e, string process)
    {
        IReadOnlyList<string> kernel = e.Stack ?? [], user = e.UserStack ?? [];
        var list = new List<string>(kernel.Count + user.Count + 1);
        if (_processRoot) list.Add(process);
        for (int i = user.Count - 1; i >= 0; i--) list.Add(user[i]);
        for (int i = kernel.Count - 1; i >= 0; i--) list.Add(kernel[i]);
        return list;
    }
}
