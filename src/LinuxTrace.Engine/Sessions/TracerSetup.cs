using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// A tracer beside the events (function, function_graph, or another the kernel has): checked before anything changes,
/// its function filters, depth and fork option set first, its pid list with the events', and the tracer itself with its
/// options last of all (changing filters while a function tracer runs makes the kernel re-patch every traced function).
/// What it changes in a borrowed instance is remembered to be put back.
/// </summary>
internal sealed class TracerSetup
{
    /// <summary>The tracers whose records are function calls; they trace every kernel function unless filtered.</summary>
    private static readonly HashSet<string> FunctionTracers = new(StringComparer.Ordinal) { "function", "function_graph" };

    private readonly TraceSessionOptions _options;
    private readonly TraceInstance _instance;
    private readonly InstanceState? _restore;

    public TracerSetup(string tracer, TraceSessionOptions options, TraceInstance instance, InstanceState? restore)
    {
        Tracer = tracer;
        _options = options;
        _instance = instance;
        _restore = restore;
    }

    public string Tracer { get; }

    /// <summary>function or function_graph: records are function calls, and the tracer has its own pid lists.</summary>
    public bool IsFunctionTracer => FunctionTracers.Contains(Tracer);

    /// <summary>True when the tracer traces every kernel function (no function or graph filter).</summary>
    public bool TracesAllFunctions { get; private set; }

    public static bool IsGraphTracer(string? t) => t == "function_graph";

    /// <summary>function_graph runs in instances from kernel 6.12 on; before, only in the top-level buffer.</summary>
    public static bool InstancesHaveGraphTracer(TraceFileSystem fs)
    {
        var release = fs.Capabilities.KernelRelease;
        var parts = release.Split('.', '-');
        return parts.Length >= 2 && int.TryParse(parts[0], out int major) && int.TryParse(parts[1], out int minor) && (major > 6 || major == 6 && minor >= 12);
    }

    /// <summary>Checks the tracer, its function names and options before anything changes: a typo changes nothing.</summary>
    public static void Check(TraceSessionOptions o, TraceFileSystem fs)
    {
        if (o.Tracer is not { } tracer) return;
        var available = fs.Top.AvailableTracers;
        if (tracer == "nop" || !available.Contains(tracer))
        {
            var close = Symbols.CloseMatch.Suggest(tracer, available.Where(t => t != "nop"), 3);
            throw new TraceException(TraceErrorKind.NotSupported,
                $"This kernel has no tracer '{tracer}'. Its tracers: {string.Join(", ", available)}.{(close.Count > 0 ? " Close matches: " + string.Join(", ", close) + "." : "")}" +
                (tracer == "function_graph" ? " It was built without CONFIG_FUNCTION_GRAPH_TRACER; the function_graph tests and demo run in the kernel VM (./build.ps1 -Task Demo -KernelVM)." :
                 tracer == "function" ? " It was built without CONFIG_FUNCTION_TRACER." : ""),
                Path.Combine(fs.Root, "available_tracers")) { ErrorId = "TracerNotAvailable" };
        }
        if (!FunctionTracers.Contains(tracer))
        {
            if (o.Functions.Count > 0 || o.GraphFunctions.Count > 0)
                throw new TraceException(TraceErrorKind.InvalidArgument, $"-Function and -GraphFunction apply to the function and function_graph tracers, not '{tracer}'.") { ErrorId = "FunctionFilterNotApplicable" };
            return;
        }
        if (o.GraphFunctions.Count > 0 && !IsGraphTracer(tracer))
            throw new TraceException(TraceErrorKind.InvalidArgument, "-GraphFunction and -MaxGraphDepth apply to the function_graph tracer; the function tracer takes -Function.") { ErrorId = "FunctionFilterNotApplicable" };
        FunctionFilters.Validate(fs, o.Functions.Concat(o.GraphFunctions), () => EventFactory.LiveSymbols.Value);
    }

    /// <summary>The tracer's function filters and depth (filters first, as the kernel's walkthrough does); the tracer
    /// itself comes last (<see cref="Start"/>).</summary>
    public void Configure()
    {
        var o = _options;
        var inst = _instance;
        if (!inst.AvailableTracers.Contains(Tracer))
            throw new TraceException(TraceErrorKind.NotSupported,
                $"Instance '{inst.DisplayName}' cannot run the '{Tracer}' tracer (its tracers: {string.Join(", ", inst.AvailableTracers)}).{(IsGraphTracer(Tracer) ? " On kernels before 6.12, function_graph runs only in the top-level buffer: omit -Instance." : "")}",
                inst.FilePath("available_tracers")) { ErrorId = "TracerNotAvailable" };
        if (!IsFunctionTracer) return;
        if (o.Functions.Count > 0) SetFilterFile(FunctionFilters.FilterFile, o.Functions);
        if (o.GraphFunctions.Count > 0) SetFilterFile(FunctionFilters.GraphFunctionFile, o.GraphFunctions);
        if (o.MaxGraphDepth is { } depth)
        {
            _restore?.RememberFile(FunctionFilters.MaxGraphDepthFile);
            FunctionFilters.SetMaxGraphDepth(inst, depth);
        }
        bool filtered = FunctionFilters.ReadList(inst, FunctionFilters.FilterFile).Count > 0
            || (IsGraphTracer(Tracer) && FunctionFilters.ReadList(inst, FunctionFilters.GraphFunctionFile).Count > 0);
        TracesAllFunctions = !filtered;
        if (TracesAllFunctions && !o.AllFunctions)
            throw new TraceException(TraceErrorKind.InvalidArgument,
                $"The {Tracer} tracer without a filter traces every kernel function: every call in the kernel pays for it, and the buffers fill in moments. Name functions with {(IsGraphTracer(Tracer) ? "-GraphFunction or -Function" : "-Function")} (globs such as 'vfs_*'), or add -Force to trace them all.",
                inst.FilePath(FunctionFilters.FilterFile)) { ErrorId = "UnfilteredFunctionTracer" };
        if (o.FollowChildren && inst.HasOption("function-fork"))
        {
            _restore?.RememberOption("function-fork");
            inst.SetOption("function-fork", true);
        }
    }

    /// <summary>Sets the tracer and its options, last of all (every filter and pid list is in place). Recording is still off.</summary>
    public void Start()
    {
        var inst = _instance;
        _restore?.RememberTracer();
        inst.CurrentTracer = Tracer;
        // tracer options after the tracer: some kernels show a tracer's options only once it is current
        foreach (var option in _options.TracerOptions)
        {
            bool on = !option.StartsWith("no", StringComparison.Ordinal) || inst.HasOption(option);
            string name = on ? option : option[2..];
            inst.GetOption(name); // an option this kernel does not have: an error with close matches
            _restore?.RememberOption(name);
            inst.SetOption(name, on);
        }
    }

    /// <summary>The tracer's own pid filter (set_ftrace_pid), beside set_event_pid.</summary>
    public void SetPids(IReadOnlyList<int> pids)
    {
        if (!IsFunctionTracer || !_instance.HasFile("set_ftrace_pid")) return;
        _restore?.RememberFile("set_ftrace_pid");
        _instance.SetFunctionPids(pids);
    }

    /// <summary>The records the tracer writes, which the session reads beside the events.</summary>
    public static IEnumerable<EventName> Records(string? tracer, EventCatalog catalog)
    {
        string[] names = tracer switch
        {
            "function" => ["function"],
            "function_graph" => ["funcgraph_entry", "funcgraph_exit", "fgraph_retaddr_entry"],
            _ => [],
        };
        foreach (var n in names)
            if (catalog.GetByName("ftrace", n) is not null) yield return new EventName("ftrace", n);
    }

    private void SetFilterFile(string file, IReadOnlyList<string> names)
    {
        FunctionFilters.RequireFile(_instance, file, file == FunctionFilters.FilterFile ? "the function tracer's filters" : "the function_graph tracer");
        _restore?.RememberFile(file);
        FunctionFilters.WriteList(_instance, file, names, append: false);
    }
}
