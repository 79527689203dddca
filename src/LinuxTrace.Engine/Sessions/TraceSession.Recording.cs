using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.TraceDat;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

// Recording pages without decoding them: to a trace.dat file, or to any page sink.
public sealed partial class TraceSession
{
    /// <summary>Events written to the file by <see cref="Record"/> (the kernel's count of events read from its buffers).</summary>
    public long RecordedEvents { get; private set; }

    /// <summary>
    /// Drains every CPU's buffer into <paramref name="sink"/> until the end condition (the program exited, the duration
    /// passed, a stop was requested) or the token fires; then turns recording off and drains what is left. Nothing is
    /// decoded on the way.
    /// </summary>
    public void DrainTo(IPageSink sink, CancellationToken token, Action? tick = null)
    {
        EnterForeground();
        StartDraining(sink);
        StartRecording();
        while (!ShouldEnd() && !token.IsCancellationRequested)
        {
            WaitHandle.WaitAny([token.WaitHandle, _stopRequested.Token.WaitHandle], 100);
            tick?.Invoke();
            RefreshOwnThreads();
            _userMaps?.Refresh();
        }
        NoteEndState();
        TurnRecordingOff(drain: true);
        _drains.ThrowIfFailed();
    }

    /// <summary>
    /// Records raw pages to per-CPU files (<see cref="DrainTo"/>), then writes the trace.dat file (also after Ctrl+C or a
    /// termination signal) and ends the session.
    /// </summary>
    public TraceSessionSummary Record(string outFile, int version, string compression, CancellationToken token, Action<long>? progress = null,
        bool wallClock = false)
    {
        _writeDate = wallClock;
        using var sink = new RecordingSink(outFile, Instance.Cpus, Instance.SubBufferSizeKB * 1024);
        try
        {
            DrainTo(sink, token, () => { if (!token.IsCancellationRequested) progress?.Invoke(sink.Pages); });
        }
        catch (Exception) when (sink.Pages > 0)
        {
            // what was recorded is kept: the file is written, then the error is reported
            try { WriteFile(sink, outFile, version, compression); } catch (Exception) { }
            throw;
        }
        WriteFile(sink, outFile, version, compression);
        return Stop();
    }

    private bool _writeDate;

    private void WriteFile(RecordingSink sink, string outFile, int version, string compression)
    {
        TurnRecordingOff(drain: true); // (does nothing when DrainTo got that far)
        var stats = Instance.GetCpuStats();
        RecordedEvents = stats.Sum(st => st.ReadEvents);
        RefreshCommands(force: true);
        // the offset again at the end: how far it moved (the trace clock's drift against the wall clock) bounds the file's wall-clock times
        var start = _writeDate ? _wallClockStart : null;
        sink.Complete(TraceDatMetadata.FromTracefs(Instance, Events, Commands, stats, _userMaps?.ForFile(), start?.OffsetNs, start?.BoundTo(Instance.ReadWallClock())),
            version, compression);
    }
}
