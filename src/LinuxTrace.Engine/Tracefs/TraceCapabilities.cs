namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// What this kernel allows, probed once by reading (never writing) tracefs: events, function tracer,
/// function_graph, kprobes, uprobes, instances, hist triggers, per-CPU raw buffers.
/// </summary>
public sealed class TraceCapabilities
{
    private readonly Dictionary<string, TraceFeature> _features;

    private TraceCapabilities(string kernel, IReadOnlyList<string> tracers, Dictionary<string, TraceFeature> features)
    {
        KernelRelease = kernel;
        Tracers = tracers;
        _features = features;
    }

    public string KernelRelease { get; }
    public IReadOnlyList<string> Tracers { get; }
    public IReadOnlyList<TraceFeature> Features => _features.Values.ToArray();

    public TraceFeature this[string name] => _features[name];

    public const string Events = "events", EventFilters = "event filters", Instances = "instances", FunctionTracer = "function tracer",
        FunctionFilter = "function filters", FunctionGraph = "function_graph", KProbes = "kprobes", UProbes = "uprobes",
        DynamicEvents = "dynamic_events", HistTriggers = "hist triggers", RawBuffers = "per-CPU raw buffers";

    public bool Has(string feature) => _features.TryGetValue(feature, out var f) && f.Available;

    /// <summary>Throws a categorised <see cref="TraceException"/> when <paramref name="feature"/> cannot be used.</summary>
    public void Require(string feature)
    {
        var f = _features[feature];
        if (f.Available) return;
        throw new TraceException(f.State == FeatureState.NotPermitted ? TraceErrorKind.PermissionDenied : TraceErrorKind.NotSupported,
            $"{f.Name}: {f.Detail}") { ErrorId = Id(feature) + (f.State == FeatureState.NotPermitted ? "NotPermitted" : "NotSupported") };
    }

    private static string Id(string feature) =>
        string.Concat(feature.Split(' ', '_', '-').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));

    internal static TraceCapabilities Probe(TraceFileSystem fs)
    {
        string root = fs.Root;
        string kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "";
        var tracers = TracefsFile.TryRead(Path.Combine(root, "available_tracers"), out var t)
            ? t.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>();
        var f = new Dictionary<string, TraceFeature>(StringComparer.Ordinal);
        void Add(string name, FeatureState state, string detail) => f[name] = new TraceFeature(name, state, detail);

        bool events = Directory.Exists(Path.Combine(root, "events")) && File.Exists(Path.Combine(root, "available_events"));
        Add(Events, events ? FeatureState.Available : FeatureState.NotBuiltIn,
            events ? "tracepoints under events/" : "no events/ directory: the kernel lacks CONFIG_EVENT_TRACING");
        Add(EventFilters, events ? FeatureState.Available : FeatureState.NotBuiltIn, events ? "events/<system>/<event>/filter" : "needs events");
        bool inst = Directory.Exists(Path.Combine(root, "instances"));
        Add(Instances, inst ? FeatureState.Available : FeatureState.NotBuiltIn, inst ? "instances/ (private buffers)" : "no instances/ directory");
        bool raw = File.Exists(Path.Combine(root, "per_cpu", "cpu0", "trace_pipe_raw"));
        Add(RawBuffers, raw ? FeatureState.Available : FeatureState.NotBuiltIn, raw ? "per_cpu/cpuN/trace_pipe_raw" : "no per_cpu/cpu0/trace_pipe_raw");

        // The function tracer: listed in available_tracers, and available_filter_functions readable (EPERM = locked).
        var funcList = ProbeRead(Path.Combine(root, "available_filter_functions"));
        if (!tracers.Contains("function"))
            Add(FunctionTracer, FeatureState.NotBuiltIn, "'function' is not in available_tracers (CONFIG_FUNCTION_TRACER is off)");
        else if (funcList == FeatureState.NotPermitted)
            Add(FunctionTracer, FeatureState.NotPermitted, "the kernel lists the function tracer but refuses it (EPERM on available_filter_functions): the host locks it down");
        else
            Add(FunctionTracer, FeatureState.Available, "current_tracer=function");
        Add(FunctionFilter, funcList, funcList switch
        {
            FeatureState.Available => "set_ftrace_filter, available_filter_functions",
            FeatureState.NotPermitted => "available_filter_functions answers EPERM: the host locks function filtering",
            _ => "no available_filter_functions (CONFIG_DYNAMIC_FTRACE is off)",
        });
        bool graph = tracers.Contains("function_graph") && File.Exists(Path.Combine(root, "set_graph_function"));
        Add(FunctionGraph, graph ? (funcList == FeatureState.NotPermitted ? FeatureState.NotPermitted : FeatureState.Available) : FeatureState.NotBuiltIn,
            graph ? "current_tracer=function_graph, set_graph_function" : "'function_graph' is not in available_tracers (CONFIG_FUNCTION_GRAPH_TRACER is off)");
        bool kprobes = File.Exists(Path.Combine(root, "kprobe_events"));
        Add(KProbes, kprobes ? FeatureState.Available : FeatureState.NotBuiltIn, kprobes ? "kprobe_events" : "no kprobe_events (CONFIG_KPROBE_EVENTS is off)");
        bool uprobes = File.Exists(Path.Combine(root, "uprobe_events"));
        Add(UProbes, uprobes ? FeatureState.Available : FeatureState.NotBuiltIn, uprobes ? "uprobe_events" : "no uprobe_events (CONFIG_UPROBE_EVENTS is off)");
        bool dyn = File.Exists(Path.Combine(root, "dynamic_events"));
        Add(DynamicEvents, dyn ? FeatureState.Available : FeatureState.NotBuiltIn, dyn ? "dynamic_events" : "no dynamic_events");
        bool hist = File.Exists(Path.Combine(root, "events", "sched", "sched_switch", "hist"));
        Add(HistTriggers, hist ? FeatureState.Available : FeatureState.NotBuiltIn, hist ? "events/*/*/hist" : "no hist files (CONFIG_HIST_TRIGGERS is off)");
        return new TraceCapabilities(kernel, tracers, f);
    }

    private static FeatureState ProbeRead(string path)
    {
        if (!File.Exists(path)) return FeatureState.NotBuiltIn;
        int fd = Native.Libc.Open(path, Native.Libc.O_RDONLY | Native.Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int e = Native.Libc.LastError;
            return e is Native.Libc.EPERM or Native.Libc.EACCES ? FeatureState.NotPermitted : FeatureState.NotBuiltIn;
        }
        unsafe
        {
            byte b;
            nint n = Native.Libc.Read(fd, &b, 1);
            int e = n < 0 ? Native.Libc.LastError : 0;
            Native.Libc.Close(fd);
            return n < 0 && e is Native.Libc.EPERM or Native.Libc.EACCES ? FeatureState.NotPermitted : FeatureState.Available;
        }
    }
}
