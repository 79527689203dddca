using System.Management.Automation;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Export;
using LinuxTrace.Engine.TraceDat;

namespace LinuxTrace.Commands;

/// <summary>Writes a trace.dat file that trace-cmd and KernelShark open (from a running session's buffer, or by
/// converting trace.dat files), or any records as CSV or JSON with one schema for every kind of event.</summary>
[Cmdlet(VerbsData.Export, "TraceData", SupportsShouldProcess = true, DefaultParameterSetName = SessionSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportTraceDataCommand : LinuxTraceCmdlet, IDisposable
{
    private const string SessionSet = "Session", PathSet = "Path", InputSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SessionSet)]
    public TraceSession? Session { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    public string? Path { get; set; }

    /// <summary>With -Path: the buffer of the source file to export (top by default).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [ArgumentCompleter(typeof(FileBufferCompleter))]
    public string? Buffer { get; set; }

    /// <summary>Records to write as CSV or JSON (what Get-TraceEvent, Start-Trace and Get-FunctionCall write).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    public TraceRecord? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = SessionSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = InputSet)]
    public string OutFile { get; set; } = "";

    /// <summary>TraceDat, Csv or Json; by default from -OutFile's extension (.csv, .json), else TraceDat.</summary>
    [Parameter]
    public TraceDataFormat? Format { get; set; }

    [Parameter]
    [ValidateSet("6", "7")]
    public string FileVersion { get; set; } = "7";

    [Parameter]
    [ValidateSet("none", "zstd", "zlib")]
    public string Compression { get; set; } = "none";

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Overwrite -OutFile if it exists (without it, an existing file is an error and stays as it was).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private EventTableWriter? _table;
    private bool _refused;
    private string _outPath = "";

    private TraceDataFormat _format;

    /// <summary>-Format, or what -OutFile's extension says.</summary>
    private TraceDataFormat FormatFromArguments => Format ?? System.IO.Path.GetExtension(OutFile).ToLowerInvariant() switch
    {
        ".csv" => TraceDataFormat.Csv,
        ".json" => TraceDataFormat.Json,
        _ => TraceDataFormat.TraceDat,
    };

    private bool _prepared;

    /// <summary>Checks the arguments once, on the first record: with pipeline input the parameter set is known only then.</summary>
    private void Prepare()
    {
        _prepared = true;
        _outPath = GetUnresolvedProviderPathFromPSPath(OutFile);
        var format = _format = FormatFromArguments;
        if (format != TraceDataFormat.TraceDat && (MyInvocation.BoundParameters.ContainsKey(nameof(FileVersion)) || MyInvocation.BoundParameters.ContainsKey(nameof(Compression))))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-FileVersion and -Compression apply to trace.dat files, not to {format}."), "FormatConflict", ErrorCategory.InvalidArgument, Format));
        if (ParameterSetName == InputSet && format == TraceDataFormat.TraceDat)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Objects cannot be written back as trace.dat (a trace.dat file holds the kernel's raw pages): give -Path or -Session for trace.dat, or -Format Csv or Json (or an -OutFile ending in .csv or .json) for these objects."), "ObjectsAsTraceDat", ErrorCategory.InvalidArgument, OutFile));
        if (Directory.Exists(_outPath))
        {
            WriteError(new ErrorRecord(new IOException($"'{_outPath}' is a directory: -OutFile names the file to write."), "OutFileIsDirectory", ErrorCategory.InvalidArgument, _outPath));
            _refused = true;
        }
        else if (File.Exists(_outPath) && !Force)
        {
            WriteError(new ErrorRecord(new IOException($"'{_outPath}' exists: Export-TraceData does not overwrite trace data unless -Force is given."), "OutFileExists", ErrorCategory.ResourceExists, _outPath));
            _refused = true;
        }
    }

    protected override void ProcessRecord()
    {
        if (!_prepared) Prepare();
        if (_refused) return;
        string outPath = _outPath;
        var format = _format;
        if (ParameterSetName == InputSet)
        {
            if (_table is null)
            {
                if (!ShouldProcess(outPath, $"Write the records as {format}")) { _refused = true; return; }
                _table = Terminating(() => new EventTableWriter(outPath, format == TraceDataFormat.Csv ? EventTableFormat.Csv : EventTableFormat.Json), "ExportFailed", outPath);
            }
            var table = _table;
            Terminating(() => table.Write(InputObject!), "ExportFailed", outPath);
            return;
        }
        if (format != TraceDataFormat.TraceDat)
        {
            WriteTable(outPath, format);
            return;
        }
        int version = int.Parse(FileVersion, System.Globalization.CultureInfo.InvariantCulture);
        if (ParameterSetName == SessionSet)
        {
            var s = Session!;
            if (!ShouldProcess(outPath, $"Write the buffer of session {s.Name} (consuming it)")) return;
            if (!IsRunning(s)) return;
            Terminating(() => s.ExportBuffer(outPath, version, Compression), "ExportFailed", outPath);
        }
        else
        {
            string src = GetResolvedProviderPathFromPSPath(Path!, out _).FirstOrDefault() ?? Path!;
            if (!ShouldProcess(outPath, $"Write {src} as trace.dat version {version} ({Compression})")) return;
            Terminating(() => TraceDatWriter.Convert(src, Buffer, outPath, version, Compression), "ExportFailed", outPath);
        }
        if (PassThru) WriteFile(outPath);
    }

    /// <summary>A session's buffer or a file's events as CSV or JSON.</summary>
    private void WriteTable(string outPath, TraceDataFormat format)
    {
        var kind = format == TraceDataFormat.Csv ? EventTableFormat.Csv : EventTableFormat.Json;
        if (ParameterSetName == SessionSet)
        {
            var s = Session!;
            if (!ShouldProcess(outPath, $"Write the buffer of session {s.Name} as {format} (consuming it)")) return;
            if (!IsRunning(s)) return;
            Terminating(() => WriteAll(outPath, kind, s.ReadBuffer(null)), "ExportFailed", outPath);
        }
        else
        {
            string src = GetResolvedProviderPathFromPSPath(Path!, out _).FirstOrDefault() ?? Path!;
            if (!ShouldProcess(outPath, $"Write the events of {src} as {format}")) return;
            using var reader = Terminating(() => new TraceFileReader([src]), "InvalidTraceFile", src);
            Terminating(() => WriteAll(outPath, kind, reader.Read(Buffer, null, PipelineStopToken)), "ExportFailed", outPath);
        }
        if (PassThru) WriteFile(outPath);
    }

    private static void WriteAll(string outPath, EventTableFormat kind, IEnumerable<TraceRecord> records)
    {
        using var w = new EventTableWriter(outPath, kind);
        foreach (var r in records) w.Write(r);
        w.Complete();
    }

    protected override void EndProcessing()
    {
        if (_table is null) return;
        var table = _table;
        Terminating(table.Complete, "ExportFailed", _outPath);
        _table = null;
        if (PassThru) WriteFile(_outPath);
    }

    /// <summary>A pipeline that stops or fails before the end leaves no file behind.</summary>
    public void Dispose()
    {
        _table?.Dispose();
        _table = null;
    }
}
