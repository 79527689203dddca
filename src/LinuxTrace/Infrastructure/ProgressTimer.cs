using System.Diagnostics;
using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Write-Progress on a timer (every 500 ms at most), only when the output is not going straight to the screen.</summary>
internal sealed class ProgressTimer
{
    private readonly PSCmdlet _cmdlet;
    private readonly ProgressRecord _record;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _enabled;
    private long _last = -1;
    private bool _shown;

    public ProgressTimer(PSCmdlet cmdlet, int id, string activity, bool showWhenLast)
    {
        _cmdlet = cmdlet;
        _record = new ProgressRecord(id, activity, "Starting");
        var inv = cmdlet.MyInvocation;
        _enabled = showWhenLast || inv.PipelinePosition < inv.PipelineLength;
    }

    public void Update(Func<string> status)
    {
        // a stopping pipeline (Ctrl+C) throws on any write: the work that is ending (a file being finished) must not
        if (!_enabled || _cmdlet.Stopping) return;
        long now = _clock.ElapsedMilliseconds;
        if (_last >= 0 && now - _last < 500) return;
        _last = now;
        _record.StatusDescription = status();
        _cmdlet.WriteProgress(_record);
        _shown = true;
    }

    public void Complete()
    {
        if (!_shown || _cmdlet.Stopping) return;
        _record.RecordType = ProgressRecordType.Completed;
        _cmdlet.WriteProgress(_record);
    }
}
