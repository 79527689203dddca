namespace LinuxTrace;

/// <summary>
/// A kernel function call recorded by the function_graph tracer: a funcgraph_entry paired with its funcgraph_exit,
/// per task, as the kernel nests them. Emitted when it returns, so callees come before their caller; Children and
/// GetParent() link the tree. The link up is a method, not a property, so that Export-Csv and ConvertTo-Json write a call
/// and the calls below it without climbing back up (Caller names the parent).
/// </summary>
public sealed class FunctionCall : TraceRecord
{
    private FunctionCallList? _children;
    private FunctionCall? _parent;
    internal ulong _durationNs;

    internal FunctionCall(int cpu, ulong start, ulong address, string function, int depth, int pid, string command)
    {
        _cpu = cpu;
        _ts = start;
        Address = address;
        Function = function;
        Depth = depth;
        ProcessId = pid;
        Command = command;
    }

    /// <summary>The function's name (from kallsyms), or its address in hex when unknown.</summary>
    public string Function { get; }

    /// <summary>The function's address as the kernel recorded it.</summary>
    public ulong Address { get; }

    /// <summary>Nesting depth, as the kernel counts it (0 for the outermost traced call of a task).</summary>
    public int Depth { get; }

    /// <summary>The task (thread id) that made the call.</summary>
    public int ProcessId { get; }

    /// <summary>The task's command name.</summary>
    public string Command { get; internal set; }

    /// <summary>How long the call took (return time − call time), at 100 ns resolution; see DurationNs.</summary>
    public TimeSpan Duration => new((long)(_durationNs / 100));

    /// <summary>Nanoseconds from call to return.</summary>
    public ulong DurationNs => _durationNs;

    /// <summary>Duration minus the durations of the calls it made.</summary>
    public TimeSpan SelfTime
    {
        get
        {
            ulong sum = 0;
            if (_children is not null) for (int i = 0; i < _children.Count; i++) sum += _children[i]._durationNs;
            return new TimeSpan((long)((sum >= _durationNs ? 0 : _durationNs - sum) / 100));
        }
    }

    /// <summary>The call that made this one; null for a root (or when its entry was not seen).</summary>
    public FunctionCall? GetParent() => _parent;

    /// <summary>The function that made this call; null for a root.</summary>
    public string? Caller => _parent?.Function;

    /// <summary>The calls this one made, in order (as text, for a CSV cell: their names).</summary>
    public FunctionCallList Children => _children ?? FunctionCallList.NoCalls;

    /// <summary>True when the call made no traced call.</summary>
    public bool IsLeaf => _children is null || _children.Count == 0;

    /// <summary>The return value where the kernel records it (funcgraph-retval, kernel 6.5+); otherwise null.</summary>
    public long? ReturnValue { get; internal set; }

    /// <summary>Calls deeper than the graph stack that the kernel could not record (overrun count at return).</summary>
    public long Overrun { get; internal set; }

    public FunctionCallStatus Status { get; internal set; }

    /// <summary>The call and all calls below it, depth first in call order.</summary>
    public IEnumerable<FunctionCall> Descendants()
    {
        var stack = new Stack<FunctionCall>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var c = stack.Pop();
            yield return c;
            if (c._children is { } ch) for (int i = ch.Count - 1; i >= 0; i--) stack.Push(ch[i]);
        }
    }

    internal void AddChild(FunctionCall c)
    {
        (_children ??= new FunctionCallList()).Items.Add(c);
        c._parent = this;
    }

    public override string ToString() => $"{Function}() {Duration.TotalMicroseconds:0.000} us";
}
