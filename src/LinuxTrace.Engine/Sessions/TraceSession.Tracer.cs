using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

// Tracers (function, function_graph): where they may run, their filters and options, the top-level buffer borrowed
// for function_graph on kernels before 6.12, and the stream of paired calls.
public sealed partial class TraceSession
{
    /// <summary>The tracer the session runs (null: events only).</summary>
    public string? Tracer => _options.Tracer;

    /// <summary>True when the tracer traces every kernel function (no function or graph filter): allowed only with Force.</summary>
    public bool TracesAllFunctions { get; private set; }

    /// <summary>True when the session borrowed the top-level buffer (function_graph on kernels without it in instances).</summary>
    public bool UsesTopBuffer { get; private set; }

    /// <summary>The tracer's filters, options and pid list in the session's instance (null: events only).</summary>
    private TracerSetup? _tracer;

    /// <summary>The tracer's filters, depth and fork option, before the events (<see cref="TracerSetup.Configure"/>).</summary>
    private void ConfigureTracer()
    {
        if (_options.Tracer is not { } tracer) return;
        _tracer = new TracerSetup(tracer, _options, Instance, _restore);
        _tracer.Configure();
        TracesAllFunctions = _tracer.TracesAllFunctions;
    }

    /// <summary>The tracer itself and its options, last of all.</summary>
    private void StartTracer() => _tracer?.Start();

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
