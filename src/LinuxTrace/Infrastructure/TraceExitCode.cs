namespace LinuxTrace.Commands;

/// <summary>
/// What Start-Trace and Stop-Trace leave in $LASTEXITCODE, for runbooks: <c>pwsh -c 'Start-Trace …; exit $LASTEXITCODE'</c>
/// exits with it (pwsh -c itself exits only 0 or 1). Documented in about_LinuxTrace.
/// </summary>
public enum TraceExitCode
{
    /// <summary>The trace ran and recorded events, none lost.</summary>
    Success = 0,

    /// <summary>Any other failure (a bad argument, a file that cannot be written): PowerShell's own code for an error.</summary>
    Failed = 1,

    /// <summary>The trace ran and recorded nothing.</summary>
    NothingRecorded = 2,

    /// <summary>The trace ran and recorded events, and some were lost (the kernel's ring buffer overran, or LinuxTrace's
    /// queue to a slow pipeline was full).</summary>
    EventsLost = 3,

    /// <summary>The kernel or the host refused the trace (not permitted, not supported by this kernel, the buffer busy).</summary>
    KernelRefused = 4,
}
