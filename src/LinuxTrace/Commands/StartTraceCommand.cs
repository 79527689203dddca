using System.Diagnostics;
using System.Management.Automation;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>
/// Traces kernel events in a private instance and streams them into the pipeline as typed objects
/// (or, with -AsSession, keeps recording and returns the session).
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "Trace", DefaultParameterSetName = StreamSet, SupportsShouldProcess = true)]
[OutputType(typeof(TraceEvent), typeof(TraceLostEvents), typeof(FileInfo), ParameterSetName = [StreamSet])]
[OutputType(typeof(TraceSession), ParameterSetName = [SessionSet])]
public sealed class StartTraceCommand : LinuxTraceCmdlet
{
    private const string StreamSet = "Stream", SessionSet = "Session";

    [Parameter(Mandatory = true, Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EventCompleter))]
    public string[] Event { get; set; } = [];

    /// <summary>Kernel event filter (events/.../filter syntax), applied in the kernel to every event.</summary>
    [Parameter]
    public string? Filter { get; set; }

    [Parameter]
    [Alias("Pid")]
    public int[]? ProcessId { get; set; }

    /// <summary>Also trace children that the traced processes fork.</summary>
    [Parameter]
    public SwitchParameter FollowChildren { get; set; }

    /// <summary>A program to start and trace (only it, and its children with -FollowChildren). Tracing ends when it exits.</summary>
    [Parameter]
    public string? Command { get; set; }

    [Parameter]
    [Alias("Args")]
    public string[] ArgumentList { get; set; } = [];

    [Parameter(ParameterSetName = StreamSet)]
    public TimeSpan? Duration { get; set; }

    /// <summary>Record into this instance instead of a private one (created if missing, then removed).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? BufferSizeKB { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ClockCompleter))]
    public string? Clock { get; set; }

    [Parameter]
    public string? Name { get; set; }

    /// <summary>Record raw pages to this trace.dat file instead of writing objects (the fast path).</summary>
    [Parameter(ParameterSetName = StreamSet)]
    public string? OutFile { get; set; }

    [Parameter(ParameterSetName = StreamSet)]
    [ValidateSet("6", "7")]
    public string FileVersion { get; set; } = "7";

    [Parameter(ParameterSetName = StreamSet)]
    [ValidateSet("none", "zstd", "zlib")]
    public string Compression { get; set; } = "none";

    /// <summary>With -OutFile: write the file's FileInfo when done.</summary>
    [Parameter(ParameterSetName = StreamSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Return a TraceSession at once and keep recording into the kernel buffer.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    public SwitchParameter AsSession { get; set; }

    /// <summary>Also record this PowerShell process's own threads (left out by default).</summary>
    [Parameter]
    public SwitchParameter IncludeSelf { get; set; }

    protected override void ProcessRecord()
    {
        var fs = Tracefs;
        string target = Instance ?? "a private instance";
        if (!ShouldProcess(target, $"Trace {string.Join(", ", Event)}{(Filter is null ? "" : $" where {Filter}")}")) return;

        var options = new TraceSessionOptions
        {
            Events = Event, Filter = Filter, ProcessIds = ProcessId ?? [], FollowChildren = FollowChildren,
            Instance = Instance, BufferSizeKB = BufferSizeKB, Clock = Clock, Name = Name, IncludeSelf = IncludeSelf,
        };
        var session = Terminating(() => TraceSession.Start(options, fs), "StartTraceFailed", target);
        foreach (var stale in TraceSession.LastRemovedStale)
            WriteWarning($"Removed the instance {stale}, left behind by a LinuxTrace process that no longer runs.");
        LaunchedProcess? program = null;
        bool keep = false;
        try
        {
            if (Command is not null)
            {
                // a path is PowerShell's (~, relative to the current location); the program starts in that location
                string location = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
                string command = Command.Contains('/') ? GetUnresolvedProviderPathFromPSPath(Command) : Command;
                program = Terminating(() => LaunchedProcess.StartSuspended(command, ArgumentList, location), "StartCommandFailed", Command);
                Terminating(() => session.SetProcessIds([program.ProcessId, .. ProcessId ?? []]), "SetPidFailed", Command);
            }
            if (AsSession)
            {
                Terminating(session.Resume, "StartTraceFailed", target);
                program?.Resume();
                WriteObject(session);
                keep = true;
                return;
            }
            if (OutFile is not null) Record(session, program);
            else Stream(session, program);
        }
        finally
        {
            if (!keep)
            {
                program?.Dispose();
                var summary = session.Stop();
                foreach (var err in summary.CleanupErrors) WriteWarning($"Cleanup: {err}");
                if (_emptyTrace && !Stopping)
                {
                    var reasons = session.ExplainEmpty(summary.CpuStats);
                    WriteWarning(reasons.Count == 0
                        ? "The trace recorded no events."
                        : "The trace recorded no events. " + string.Join(" ", reasons.Select(r => "Perhaps " + r + ".")));
                }
                if (summary.KernelLost > 0 || summary.LossReports > 0)
                    WriteWarning($"{summary.KernelLost} events were lost to ring-buffer overrun ({summary.LossReports} loss reports in the stream). A bigger -BufferSizeKB or fewer events helps.");
            }
        }
    }

    /// <summary>Tracing ends when the program exits or -Duration has passed (Ctrl+C and downstream stops aside).</summary>
    private Func<bool> EndCondition(LaunchedProcess? program, Stopwatch clock)
    {
        var deadline = Duration;
        return () => (program is not null && program.HasExited) || (deadline is { } d && clock.Elapsed >= d);
    }

    private bool _emptyTrace;

    private void Record(TraceSession session, LaunchedProcess? program)
    {
        string path = GetUnresolvedProviderPathFromPSPath(OutFile!);
        var clock = Stopwatch.StartNew();
        var shouldEnd = EndCondition(program, clock);
        var progress = new ProgressTimer(this, 1, $"Recording {string.Join(", ", Event)} to {path}", showWhenLast: true);
        Terminating(() => session.RecordToFile(path, int.Parse(FileVersion, System.Globalization.CultureInfo.InvariantCulture), Compression, shouldEnd, PipelineStopToken,
            pages => progress.Update(() => $"{pages:N0} pages, {clock.Elapsed:mm\\:ss}"), () => program?.Resume()), "RecordFailed", path);
        progress.Complete();
        _emptyTrace = session.RecordedEvents == 0;
        if (PassThru) WriteObject(new FileInfo(path));
    }

    private void Stream(TraceSession session, LaunchedProcess? program)
    {
        Terminating(() => session.StartDraining(), "StartTraceFailed", session.Name);
        Terminating(session.Resume, "StartTraceFailed", session.Name);
        program?.Resume();
        var clock = Stopwatch.StartNew();
        var shouldEnd = EndCondition(program, clock);

        var progress = new ProgressTimer(this, 1, $"Tracing {string.Join(", ", Event)}", showWhenLast: false);
        long count = 0, events = 0;
        try
        {
            foreach (var batch in session.ReadLive(null, shouldEnd, PipelineStopToken))
            {
                WriteObject(batch, enumerateCollection: true);
                count += batch.Count;
                foreach (var r in batch) if (r is TraceEvent) events++;
                progress.Update(() => $"{count:N0} events, {count / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0}/s, {session.LostEventCount:N0} lost");
            }
        }
        catch (TraceException e)
        {
            ThrowTerminatingError(ErrorFor(e, "TraceReadFailed", session.Name));
        }
        finally
        {
            progress.Complete();
        }
        _emptyTrace = events == 0;
    }
}
