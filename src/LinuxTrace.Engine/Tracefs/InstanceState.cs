namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// Remembers what a session changed in an instance it did not create, so that tear-down puts it back:
/// events enabled, filters, pid filters, options, clock, buffer size, tracing_on.
/// </summary>
internal sealed class InstanceState
{
    private readonly TraceInstance _instance;
    private readonly List<(EventName Event, bool WasEnabled, string? OldFilter)> _events = new();
    private readonly List<(EventName Event, string Trigger)> _triggers = new();
    private IReadOnlyList<int>? _pids;
    private IReadOnlyList<int>? _noTracePids;
    private readonly Dictionary<string, bool> _options = new(StringComparer.Ordinal);
    private string? _clock;
    private int? _bufferKB;
    private bool? _tracingOn;
    private string? _tracer;
    private readonly Dictionary<string, IReadOnlyList<string>> _files = new(StringComparer.Ordinal);

    public InstanceState(TraceInstance instance) => _instance = instance;

    public void RememberEvent(EventName e) =>
        _events.Add((e, _instance.IsEventEnabled(e.System, e.Name), _instance.GetEventFilter(e.System, e.Name)));

    /// <summary>A trigger this session added: removed again ("!" and its text) when the instance is put back.</summary>
    public void RememberTrigger(EventName e, string trigger) => _triggers.Add((e, trigger));

    public void RememberPids() => _pids ??= _instance.EventPids;
    public void RememberNoTracePids() => _noTracePids ??= _instance.NoTracePids;
    public void RememberOption(string name) => _options.TryAdd(name, _instance.GetOption(name));
    public void RememberClock() => _clock ??= _instance.Clock;
    public void RememberBufferSize() => _bufferKB ??= _instance.BufferSizeKB;
    public void RememberTracingOn() => _tracingOn ??= _instance.TracingOn;
    public void RememberTracer() => _tracer ??= _instance.CurrentTracer;

    /// <summary>A list file (set_ftrace_filter, set_graph_function, set_ftrace_pid, max_graph_depth …) as it reads now.</summary>
    public void RememberFile(string relative)
    {
        if (!_files.ContainsKey(relative)) _files[relative] = FunctionFilters.ReadList(_instance, relative);
    }

    /// <summary>Puts everything back; collects failures instead of stopping at the first.</summary>
    public List<Exception> Restore()
    {
        var errors = new List<Exception>();
        void Try(Action a)
        {
            try { a(); } catch (Exception e) { errors.Add(e); }
        }
        // the tracer first (function tracing stops), then its filter files
        if (_tracer is not null) Try(() => _instance.CurrentTracer = _tracer);
        foreach (var (file, lines) in _files)
        {
            if (file == FunctionFilters.MaxGraphDepthFile) Try(() => _instance.WriteFile(file, lines.Count > 0 ? lines[0] : "0"));
            else if (file is "set_ftrace_pid" or "set_ftrace_notrace_pid") Try(() => _instance.WriteFile(file, lines.Count > 0 && !lines[0].StartsWith("no pid", StringComparison.Ordinal) ? string.Join(' ', lines) : ""));
            else Try(() => FunctionFilters.RestoreList(_instance, file, lines));
        }
        // triggers before the events: a trigger's action (stacktrace, traceoff ...) stops with it
        foreach (var (e, trigger) in Enumerable.Reverse(_triggers)) Try(() => _instance.RemoveEventTrigger(e.System, e.Name, trigger));
        foreach (var (e, wasEnabled, oldFilter) in _events)
        {
            Try(() => _instance.EnableEvent(e.System, e.Name, wasEnabled));
            Try(() => _instance.SetEventFilter(e.System, e.Name, oldFilter));
        }
        if (_pids is not null) Try(() => _instance.SetEventPids(_pids));
        if (_noTracePids is not null) Try(() => _instance.SetNoTracePids(_noTracePids));
        foreach (var (name, wasOn) in _options) Try(() => _instance.SetOption(name, wasOn));
        if (_clock is not null) Try(() => _instance.Clock = _clock);
        if (_bufferKB is { } kb && kb > 0) Try(() => _instance.BufferSizeKB = kb);
        if (_tracingOn is { } on) Try(() => _instance.TracingOn = on);
        return errors;
    }
}
