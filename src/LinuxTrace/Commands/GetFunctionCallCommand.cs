using System.Management.Automation;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Graph;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Pairs function_graph records (funcgraph_entry / funcgraph_exit) into FunctionCall objects: from trace.dat
/// files (LinuxTrace's or trace-cmd's), from a session's buffer, or from records in the pipeline.</summary>
[Cmdlet(VerbsCommon.Get, "FunctionCall", DefaultParameterSetName = PathSet)]
[OutputType(typeof(FunctionCall))]
public sealed class GetFunctionCallCommand : LinuxTraceCmdlet
{
    private const string PathSet = "Path", LiteralPathSet = "LiteralPath", SessionSet = "Session", InputSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[]? LiteralPath { get; set; }

    /// <summary>The buffer (instance) of the file to read; the top one by default.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ArgumentCompleter(typeof(FileBufferCompleter))]
    public string? Buffer { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    public TraceSession? Session { get; set; }

    /// <summary>Records (from Get-TraceEvent or Start-Trace -Raw); those that are not function_graph records are ignored.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    public TraceRecord? InputObject { get; set; }

    /// <summary>Only calls of these functions (wildcards); their callees stay reachable through Children.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Function { get; set; }

    private readonly List<string> _files = new();
    private CallGraphBuilder? _builder;
    private readonly List<TraceRecord> _out = new();
    private Func<string, bool> _match = _ => true;

    protected override void BeginProcessing() => _match = Matcher(Function);

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PathSet or LiteralPathSet:
                _files.AddRange(ResolvePaths(Path, LiteralPath));
                break;
            case SessionSet:
                var s = Session!;
                if (!IsRunning(s)) return;
                _out.AddRange(s.ReadCalls());
                Flush();
                break;
            case InputSet:
                if (InputObject is TraceEvent ev)
                {
                    _builder ??= CallGraphBuilder.ForEvents();
                    if (_builder.Add(ev, _out)) Flush();
                }
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (_builder is not null)
        {
            _builder.Finish(_out);
            Flush();
        }
        if (_files.Count == 0) return;
        using var reader = Terminating(() => new TraceFileReader(_files), "InvalidTraceFile", _files[0]);
        Terminating(() => reader.Files.Select(f => f.GetBuffer(Buffer)).ToArray(), "BufferNotFound", Buffer);
        try
        {
            foreach (var r in reader.ReadCalls(Buffer, includeOthers: false))
            {
                _out.Add(r);
                if (_out.Count >= 1024) Flush();
            }
        }
        catch (TraceException e)
        {
            Flush();
            ThrowTerminatingError(ErrorFor(e, e.Kind == TraceErrorKind.InvalidData ? "InvalidTraceFile" : "TraceReadFailed", e.Path));
        }
        Flush();
    }

    private void Flush()
    {
        foreach (var r in _out)
            if (r is not FunctionCall c || _match(c.Function)) WriteObject(r);
        _out.Clear();
    }
}
