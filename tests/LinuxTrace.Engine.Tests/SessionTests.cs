using System.Management.Automation;
using System.Management.Automation.Runspaces;
using LinuxTrace.Engine.Tracefs;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>Live sessions against the real kernel: what they record, and that every way of ending leaves nothing behind.</summary>
[Collection("kernel")]
public class SessionTests
{
    private static string[] OurInstances() =>
        TraceFileSystem.Default.GetInstances().Select(i => i.Name).Where(n => n.StartsWith($"linuxtrace-{Environment.ProcessId}-")).ToArray();

    [Fact]
    public void AsSessionRecordsAndStopRemovesTheInstance()
    {
        Kernel.Require("instances");
        using var s = TraceSession.Start(new Engine.Sessions.TraceSessionOptions { Events = ["sched:sched_switch"] });
        Assert.Contains(s.Instance.Name, OurInstances());
        s.StartRecording();
        var events = new List<TraceEvent>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (events.Count < 10 && DateTime.UtcNow < deadline)
        {
            var batch = s.ReadBuffer().OfType<TraceEvent>().ToList();
            Assert.True(batch.Zip(batch.Skip(1)).All(p => p.First.TimestampNs <= p.Second.TimestampNs), "each read is merged by time");
            events.AddRange(batch);
            Thread.Sleep(20);
        }
        Assert.True(events.Count >= 10, $"only {events.Count} sched_switch events within 10 s");
        Assert.All(events, e => Assert.Equal("sched_switch", e.EventName));
        var summary = s.Stop();
        Assert.Equal(TraceSessionState.Stopped, s.State);
        Assert.Empty(OurInstances());
        Assert.NotEmpty(summary.CpuStats);
        Assert.Empty(summary.CleanupErrors);
    }

    [Fact]
    public void UnknownEventChangesNothing()
    {
        Kernel.Require("instances");
        var before = TraceFileSystem.Default.GetInstances().Count;
        var e = Assert.Throws<TraceException>(() => TraceSession.Start(new Engine.Sessions.TraceSessionOptions { Events = ["sched:sched_swich"] }));
        Assert.Contains("sched:sched_switch", e.Message);
        Assert.Equal(before, TraceFileSystem.Default.GetInstances().Count);
    }

    [Fact]
    public void BadFilterFailsCleanly()
    {
        Kernel.Require("instances");
        var e = Assert.Throws<TraceException>(() => TraceSession.Start(new Engine.Sessions.TraceSessionOptions { Events = ["sched:sched_switch"], Filter = "prev_pid = = 1" }));
        Assert.Equal("BadFilter", e.ErrorId);
        Assert.True(e.KernelErrorPosition >= 0);
        Assert.Empty(OurInstances());
    }

    [Fact]
    public void PowerShellStopEndsAStreamingTraceAndCleansUp()
    {
        Kernel.Require("instances");
        // The Ctrl+C path: PowerShell.Stop() on a running Start-Trace.
        var iss = InitialSessionState.CreateDefault2();
        iss.Commands.Add(new SessionStateCmdletEntry("Start-Trace", typeof(Commands.StartTraceCommand), null));
        using var ps = PowerShell.Create(iss);
        ps.AddCommand("Start-Trace").AddParameter("Event", new[] { "sched:sched_switch" });
        var output = new PSDataCollection<PSObject>();
        int seen = 0;
        output.DataAdded += (_, _) => Interlocked.Increment(ref seen);
        var async = ps.BeginInvoke<PSObject, PSObject>(null, output);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Volatile.Read(ref seen) < 10 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.True(seen >= 10, "events were streamed before the stop");
        Assert.NotEmpty(OurInstances());
        ps.Stop();
        Assert.True(async.IsCompleted);
        Assert.Empty(OurInstances());
        Assert.Empty(TraceSession.GetActive());
    }
}
