using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// Remembers what a session changed in an instance it did not create, so that tear-down puts it back:
/// events enabled, filters, pid filters, options, clock, buffer size, tracing_on.
/// </summary>
internal sealed class InstanceState
{
    private readonly TraceInstance _instance;
    private readonly List<(EventName Event, bool WasEnabled, string? OldFilter)> _events = new();
    private IReadOnlyList<int>? _pids;
    private IReadOnlyList<int>? _noTracePids;
    private readonly Dictionary<string, bool> _options = new(StringComparer.Ordinal);
    private string? _clock;
    private int? _bufferKB;
    private bool? _tracingOn;

    public InstanceState(TraceInstance instance) => _instance = instance;

    public void RememberEvent(EventName e) =>
        _events.Add((e, _instance.IsEventEnabled(e.System, e.Name), _instance.GetEventFilter(e.System, e.Name)));

    public void RememberPids() => _pids ??= _instance.EventPids;
    public void RememberNoTracePids() => _noTracePids ??= _instance.NoTracePids;
    public void RememberOption(string name) => _options.TryAdd(name, _instance.GetOption(name));
    public void RememberClock() => _clock ??= _instance.Clock;
    public void RememberBufferSize() => _bufferKB ??= _instance.BufferSizeKB;
    public void RememberTracingOn() => _tracingOn ??= _instance.TracingOn;

    /// <summary>Puts everything back; collects failures instead of stopping at the first.</summary>
    public List<Exception> Restore()
    {
        var errors = new List<Exception>();
        void Try(Action a)
        {
            try { a(); } catch (Exception e) { errors.Add(e); }
        }
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
