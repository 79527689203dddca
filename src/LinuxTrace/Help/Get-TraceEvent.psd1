@{
    Synopsis    = 'Reads (and consumes) the events a trace session or an instance holds, as typed objects.'
    Description = @(
        'Get-TraceEvent reads the per-CPU ring buffers of a session started with Start-Trace -AsSession, or of any instance named with -Instance, decodes them with the kernel''s format files and writes the events merged by time. Reading consumes: the events are gone from the buffer afterwards.'
        '-Event, -ProcessId and -Cpu filter records before any object is made, which is much faster than Where-Object on the objects.'
    )
    Parameters  = @{
        Session   = 'The session to read, from Start-Trace -AsSession or Get-TraceSession.'
        Instance  = 'An instance to read (top for the global buffer).'
        Event     = 'Only these events (same patterns as Start-Trace -Event).'
        ProcessId = 'Only events of these processes (common_pid).'
        Cpu       = 'Only events recorded on these CPUs.'
    }
    Outputs     = @{ TraceEvent = 'One object per event.'; TraceLostEvents = 'Where the kernel reports lost events.' }
    Examples    = @(
        @{ Title = 'Read a session'; Code = '$s = Start-Trace -Event sched:* -AsSession; Start-Sleep 1; $s | Get-TraceEvent -Cpu 0 | Group-Object Name'; Remarks = 'Reads the scheduler events recorded on CPU 0.' }
        @{ Title = 'Read an instance'; Code = 'Get-TraceEvent -Instance mytrace -Event sched_switch -ProcessId 1234'; Remarks = 'Reads the sched_switch events of pid 1234 that the instance mytrace holds.' }
    )
    Links       = @('Start-Trace', 'Stop-Trace')
}
