using LinuxTrace.Engine.Reading;

namespace LinuxTrace;

// A session recording in the background (Start-Trace -AsSession): its buffer is read, or written to a file, on demand.
public sealed partial class TraceSession
{
    /// <summary>Reads (and consumes) what the instance's buffers hold now, merged by time; only the session's events,
    /// then <paramref name="filter"/>.</summary>
    public IEnumerable<TraceRecord> ReadBuffer(RecordFilter? filter = null)
    {
        RefreshCommands(force: true);
        RefreshOwnThreads();
        foreach (var r in InstanceBuffer.Read(Instance, Factory, filter, CountLoss, Losses, LiveFilter))
        {
            if (r is TraceEvent) Interlocked.Increment(ref _events);
            yield return r;
        }
    }

    /// <summary>Writes what the instance's buffers hold now (consuming it) to a trace.dat file.</summary>
    public void ExportBuffer(string outFile, int version, string compression, bool wallClock = false)
    {
        RefreshCommands(force: true);
        InstanceBuffer.Export(Instance, Events, Commands, outFile, version, compression, _userMaps?.ForFile(), wallClock);
    }
}
