using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

// Tracers (function, function_graph): where they may run, their filters and options, the top-level buffer borrowed
// for function_graph on kernels before 6.12, and the stream of paired calls.
public sealed partial class TraceSession
{
    /// <summary>The tracers whose records are function calls; they trace every kernel function unless filtered.</summary>
    private static readonly HashSet<string> FunctionTracers = new(StringComparer.Ordinal) { "function", "function_graph" };

    /// <summary>The tracer the session runs (null: events only).</summary>
    public string? Tracer => _options.Tracer;

    /// <summary>True when the tracer traces every kernel function (no function or graph filter): allowed only with Force.</summary>
    public bool TracesAllFunctions { get; private set; }

    /// <summary>True when the session borrowed the top-level buffer (function_graph on kernels without it in instances).</summary>
    public bool UsesTopBuffer { get; private set; }

    private static bool IsGraphTracer(string? t) => t == "function_graph";

    /// <summary>function_graph runs in instances from kernel 6.12 on; before, only in the top-level buffer.</summary>
    internal static bool InstancesHaveGraphTracer(TraceFileSystem fs)
    {
        var release = fs.Capabilities.KernelRelease;
        var parts = release.Split('.', '-');
        return parts.Length >= 2 && int.TryParse(parts[0], out int major) && int.TryParse(parts[1], out int minor) && (major > 6 || major == 6 && minor >= 12);
    }

    /// <summary>Checks the tracer, its function names and options before anything changes: a typo changes nothing.</summary>
    private static void CheckTracer(TraceSessionOptions o, TraceFileSystem fs)
    {
        if (o.Tracer is not { } tracer) return;
        var available = fs.Top.AvailableTracers;
        if (tracer == "nop" || !available.Contains(tracer))
        {
            var close = LinuxTrace.Engine.Symbols.CloseMatch.Suggest(tracer, available.Where(t => t != "nop"), 3);
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

    /// <summary>Takes the top-level buffer for function_graph when instances cannot run it: only when its tracer is
    /// nop and no other LinuxTrace session holds it; everything changed there is restored at the end.</summary>
    private void TakeTopForGraph()
    {
        var top = Tracefs.Top;
        _ownership = InstanceOwnership.TryAcquire(top)
            ?? throw new TraceException(TraceErrorKind.Busy,
                "Another LinuxTrace session holds the top-level buffer (function_graph runs only there before kernel 6.12). Wait for it to end (Get-TraceSession shows this process's).",
                top.Path) { ErrorId = "TopBufferBusy" };
        string current = top.CurrentTracer;
        if (current != "nop")
        {
            _ownership.Dispose();
            _ownership = null;
            throw new TraceException(TraceErrorKind.Busy,
                $"The top-level buffer runs the '{current}' tracer: another tool (trace-cmd, a script) is using it, and function_graph can run only there on this kernel (instances have it from 6.12). LinuxTrace will not take it over; when that tool is done, current_tracer is nop again.",
                top.FilePath("current_tracer")) { ErrorId = "TopBufferBusy" };
        }
        Instance = top;
        _restore = new InstanceState(top);
        _restore.RememberTracingOn(); // every end turns recording off: give back what it was
        UsesTopBuffer = true;
        // nobody records there (no tracer, no event): what the buffer still holds is old, and would come first
        if (top.EnabledEvents.Count == 0) top.ClearBuffer();
    }

    /// <summary>The tracer's function filters and depth (filters first, as the kernel's walkthrough does); the tracer
    /// itself comes last (<see cref="StartTracer"/>).</summary>
    private void ConfigureTracer()
    {
        var o = _options;
        if (o.Tracer is not { } tracer) return;
        var inst = Instance;
        if (!inst.AvailableTracers.Contains(tracer))
            throw new TraceException(TraceErrorKind.NotSupported,
                $"Instance '{inst.DisplayName}' cannot run the '{tracer}' tracer (its tracers: {string.Join(", ", inst.AvailableTracers)}).{(IsGraphTracer(tracer) ? " On kernels before 6.12, function_graph runs only in the top-level buffer: omit -Instance." : "")}",
                inst.FilePath("available_tracers")) { ErrorId = "TracerNotAvailable" };
        if (FunctionTracers.Contains(tracer))
        {
            if (o.Functions.Count > 0) SetFilterFile(FunctionFilters.FilterFile, o.Functions);
            if (o.GraphFunctions.Count > 0) SetFilterFile(FunctionFilters.GraphFunctionFile, o.GraphFunctions);
            if (o.MaxGraphDepth is { } depth)
            {
                _restore?.RememberFile(FunctionFilters.MaxGraphDepthFile);
                FunctionFilters.SetMaxGraphDepth(inst, depth);
            }
            bool filtered = FunctionFilters.ReadList(inst, FunctionFilters.FilterFile).Count > 0
                || (IsGraphTracer(tracer) && FunctionFilters.ReadList(inst, FunctionFilters.GraphFunctionFile).Count > 0);
            TracesAllFunctions = !filtered;
            if (TracesAllFunctions && !o.AllFunctions)
                throw new TraceException(TraceErrorKind.InvalidArgument,
                    $"The {tracer} tracer without a filter traces every kernel function: every call in the kernel pays for it, and the buffers fill in moments. Name functions with {(IsGraphTracer(tracer) ? "-GraphFunction or -Function" : "-Function")} (globs such as 'vfs_*'), or add -Force to trace them all.",
                    inst.FilePath(FunctionFilters.FilterFile)) { ErrorId = "UnfilteredFunctionTracer" };
            if (o.FollowChildren && inst.HasOption("function-fork"))
            {
                _restore?.RememberOption("function-fork");
                inst.SetOption("function-fork", true);
            }
        }
    }

    /// <summary>Sets the tracer and its options, last of all (every filter and pid list is in place: changing those
    /// while a function tracer runs makes the kernel re-patch every traced function). Recording is still off.</summary>
    private void StartTracer()
    {
        if (_options.Tracer is not { } tracer) return;
        var inst = Instance;
        _restore?.RememberTracer();
        inst.CurrentTracer = tracer;
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

    private void SetFilterFile(string file, IReadOnlyList<string> names)
    {
        FunctionFilters.RequireFile(Instance, file, file == FunctionFilters.FilterFile ? "the function tracer's filters" : "the function_graph tracer");
        _restore?.RememberFile(file);
        FunctionFilters.WriteList(Instance, file, names, append: false);
    }

    /// <summary>The tracer's own pid filter (set_ftrace_pid), beside set_event_pid.</summary>
    private void SetTracerPids(IReadOnlyList<int> pids)
    {
        if (_options.Tracer is null || !FunctionTracers.Contains(_options.Tracer) || !Instance.HasFile("set_ftrace_pid")) return;
        _restore?.RememberFile("set_ftrace_pid");
        Instance.SetFunctionPids(pids);
    }

    /// <summary>The records the tracer writes, which the session reads beside the events.</summary>
    private IEnumerable<EventName> TracerRecords()
    {
        string[] names = _options.Tracer switch
        {
            "function" => ["function"],
            "function_graph" => ["funcgraph_entry", "funcgraph_exit", "fgraph_retaddr_entry"],
            _ => [],
        };
        foreach (var n in names)
            if (Catalog.GetByName("ftrace", n) is not null) yield return new EventName("ftrace", n);
    }

    /// <summary>The function calls paired from what the buffer holds now (read and consumed, as <see cref="ReadBuffer"/>,
    /// in the engine from the record bytes); calls still open come last, as NoReturn. Loss reports pass through.</summary>
    public IEnumerable<TraceRecord> ReadCalls()
    {
        RefreshCommands(force: true);
        RefreshOwnThreads();
        return InstanceBuffer.ReadCalls(Instance, Factory, CountLoss, Losses, LiveFilter);
    }

    /// <summary>
    /// Streams the trace as <see cref="Stream"/> does, with the function_graph records paired into
    /// <see cref="FunctionCall"/> objects (each emitted when it returns; calls open at the end come last, as
    /// NoReturn). Other records pass through.
    /// </summary>
    public IEnumerable<List<TraceRecord>> StreamCalls(CancellationToken token)
    {
        var builder = Factory.NewCallGraphBuilder();
        foreach (var batch in Stream(token))
        {
            var output = new List<TraceRecord>(batch.Count);
            foreach (var r in batch)
                if (r is not TraceEvent e || !builder.Add(e, output)) output.Add(r);
            if (output.Count > 0) yield return output;
        }
        var rest = new List<TraceRecord>();
        builder.Finish(rest);
        if (rest.Count > 0) yield return rest;
    }
}
