using LinuxTrace.Engine.Tracefs;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>Against the real tracefs of this machine; every test works in its own instance and removes it.</summary>
[Collection("kernel")]
public class TracefsTests
{
    private static string NewName() => $"lt-xunit-{Environment.ProcessId}-{Guid.NewGuid():N}"[..30];

    [Fact]
    public void InstanceIsCreatedListedAndRemoved()
    {
        Kernel.Require("instances");
        var fs = TraceFileSystem.Default;
        string name = NewName();
        var inst = fs.CreateInstance(name);
        try
        {
            Assert.Contains(fs.GetInstances(), i => i.Name == name);
            Assert.Contains("nop", inst.AvailableTracers);
            Assert.True(inst.BufferSizeKB > 0);
            Assert.NotEmpty(inst.Cpus);
            Assert.Throws<TraceException>(() => fs.CreateInstance(name));
        }
        finally
        {
            fs.RemoveInstance(name);
        }
        Assert.DoesNotContain(fs.GetInstances(), i => i.Name == name);
        var e = Assert.Throws<TraceException>(() => fs.GetInstance(name));
        Assert.Equal(TraceErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public void OptionEventFilterAndPidAreSetAndReadBack()
    {
        Kernel.Require("instances");
        var fs = TraceFileSystem.Default;
        string name = NewName();
        var inst = fs.CreateInstance(name);
        try
        {
            bool before = inst.GetOption("event-fork");
            inst.SetOption("event-fork", !before);
            Assert.Equal(!before, inst.GetOption("event-fork"));
            Assert.Contains(inst.GetOptions(), o => o.Name == "event-fork" && o.Enabled == !before);

            inst.SetEventFilter("sched", "sched_switch", "prev_pid == 0");
            Assert.Equal("prev_pid == 0", inst.GetEventFilter("sched", "sched_switch"));
            inst.EnableEvent("sched", "sched_switch");
            Assert.True(inst.IsEventEnabled("sched", "sched_switch"));
            Assert.Contains("sched:sched_switch", inst.EnabledEvents);
            inst.SetEventPids([1]);
            Assert.Equal([1], inst.EventPids);

            var unknown = Assert.Throws<TraceException>(() => inst.SetOption("evnt-fork", true));
            Assert.Contains("event-fork", unknown.Message); // close match offered
        }
        finally
        {
            fs.RemoveInstance(name);
        }
        Assert.DoesNotContain("sched:sched_switch", fs.Top.EnabledEvents);
    }

    [Fact]
    public void BadFilterQuotesTheKernelsErrorAndPosition()
    {
        Kernel.Require("instances");
        var fs = TraceFileSystem.Default;
        string name = NewName();
        var inst = fs.CreateInstance(name);
        try
        {
            var e = Assert.Throws<TraceException>(() => inst.SetEventFilter("sched", "sched_switch", "prev_pid == zzz"));
            Assert.Equal(TraceErrorKind.InvalidArgument, e.Kind);
            Assert.Equal(22, e.Errno);
            Assert.NotNull(e.KernelMessage);
            Assert.Contains("forget quotes", e.KernelMessage);
            Assert.InRange(e.KernelErrorPosition, 12, 14); // under "zzz"
            Assert.Contains("^", e.Message);
            Assert.Null(inst.GetEventFilter("sched", "sched_switch"));
        }
        finally
        {
            fs.RemoveInstance(name);
        }
    }

    [Fact]
    public void CapabilitiesMatchWhatTheKernelAnswers()
    {
        Kernel.Require("events");
        var caps = TraceFileSystem.Default.Capabilities;
        Assert.True(caps.Has(TraceCapabilities.Events));
        bool canList;
        try { File.ReadAllText("/sys/kernel/tracing/available_filter_functions"); canList = true; }
        catch (UnauthorizedAccessException) { canList = false; }
        catch (IOException) { canList = false; }
        Assert.Equal(canList, caps.Has(TraceCapabilities.FunctionFilter));
        Assert.Equal(File.Exists("/sys/kernel/tracing/kprobe_events"), caps.Has(TraceCapabilities.KProbes));
    }

    [Fact]
    public void FunctionListIsPermissionDeniedWhereTheHostLocksIt()
    {
        Kernel.Require("function-locked"); // where the kernel lists functions, the kernel VM covers listing them
        var fs = TraceFileSystem.Default;
        var e = Assert.Throws<TraceException>(() => Engine.Tracefs.FunctionList.Read(fs));
        Assert.Equal(TraceErrorKind.PermissionDenied, e.Kind);
        Assert.Equal("FunctionListNotPermitted", e.ErrorId);
    }

    [Fact]
    public void ErrorLogParsesEntriesAndCaret()
    {
        var entries = ErrorLog.Parse("[  122.044444] event filter parse error: error: Invalid value (did you forget quotes)?\n  Command: prev_pid == zzz &&\n                        ^\n");
        var e = Assert.Single(entries);
        Assert.Equal("event filter parse error", e.Location);
        Assert.Equal("prev_pid == zzz &&", e.Command);
        Assert.Equal(13, e.Position);
    }

    [Fact]
    public void BufferSizeTextIsParsedBeforeAndAfterExpansion()
    {
        Assert.Equal(1408, TraceInstance.ParseBufferSize("7 (expanded: 1408)\n"));
        Assert.Equal(2048, TraceInstance.ParseBufferSize("2048\n"));
    }

    [Fact]
    public void CloseMatchesFindRenamedFunctions()
    {
        var s = Engine.Symbols.CloseMatch.Suggest("do_sys_open", ["do_sys_openat2", "do_sys_poll", "vfs_open", "sys_open"]);
        Assert.Equal("do_sys_openat2", s[0]);
        Assert.Empty(Engine.Symbols.CloseMatch.Suggest("zzzzzzzzzz", ["do_sys_openat2"]));
    }
}
