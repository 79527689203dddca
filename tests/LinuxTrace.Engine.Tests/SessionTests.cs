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

    [KernelFact(TraceCapabilities.Instances)]
    public void AsSessionRecordsAndStopRemovesTheInstance()
    {
        using var s = TraceSession.Start(new Engine.Sessions.TraceSessionOptions { Events = ["sched:sched_switch"] });
        Assert.Contains(s.Instance.Name, OurInstances());
        s.Resume();
        Thread.Sleep(200);
        var events = s.ReadBuffer().OfType<TraceEvent>().ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal("sched_switch", e.Name));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.TimestampNs <= p.Second.TimestampNs), "merged by time");
        var summary = s.Stop();
        Assert.Equal(TraceSessionState.Stopped, s.State);
        Assert.Empty(OurInstances());
        Assert.NotEmpty(summary.CpuStats);
        Assert.Empty(summary.CleanupErrors);
    }

    [KernelFact(TraceCapabilities.Instances)]
    public void UnknownEventChangesNothing()
    {
        var before = TraceFileSystem.Default.GetInstances().Count;
        var e = Assert.Throws<TraceException>(() => TraceSession.Start(new Engine.Sessions.TraceSessionOptions { Events = ["sched:sched_swich"] }));
        Assert.Contains("sched:sched_switch", e.Message);
        Assert.Equal(before, TraceFileSystem.Default.GetInstances().Count);
    }

    [KernelFact(TraceCapabilities.Instances)]
    public void BadFilterFailsCleanly()
    {
        var e = Assert.Throws<TraceException>(() => TraceSession.Start(new Engine.Sessions.TraceSessionOptions { Events = ["sched:sched_switch"], Filter = "prev_pid = = 1" }));
        Assert.Equal("BadFilter", e.ErrorId);
        Assert.True(e.KernelErrorPosition >= 0);
        Assert.Empty(OurInstances());
    }

    [KernelFact(TraceCapabilities.Instances)]
    public void PowerShellStopEndsAStreamingTraceAndCleansUp()
    {
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
