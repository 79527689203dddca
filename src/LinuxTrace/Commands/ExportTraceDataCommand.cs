using System.Management.Automation;
using LinuxTrace.Engine.TraceDat;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Writes a trace.dat file that trace-cmd and KernelShark open: from a running session's buffer, or by converting trace.dat files.</summary>
[Cmdlet(VerbsData.Export, "TraceData", SupportsShouldProcess = true, DefaultParameterSetName = SessionSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportTraceDataCommand : LinuxTraceCmdlet
{
    private const string SessionSet = "Session", PathSet = "Path";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SessionSet)]
    public TraceSession? Session { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    public string? Path { get; set; }

    /// <summary>With -Path: the buffer of the source file to export (top by default).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [ArgumentCompleter(typeof(FileBufferCompleter))]
    public string? Buffer { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    public string OutFile { get; set; } = "";

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

    protected override void ProcessRecord()
    {
        string outPath = GetUnresolvedProviderPathFromPSPath(OutFile);
        if (Directory.Exists(outPath))
        {
            WriteError(new ErrorRecord(new IOException($"'{outPath}' is a directory: -OutFile names the trace.dat file to write."), "OutFileIsDirectory", ErrorCategory.InvalidArgument, outPath));
            return;
        }
        if (File.Exists(outPath) && !Force)
        {
            WriteError(new ErrorRecord(new IOException($"'{outPath}' exists: Export-TraceData does not overwrite trace data unless -Force is given."), "OutFileExists", ErrorCategory.ResourceExists, outPath));
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
}
